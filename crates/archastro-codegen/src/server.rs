//! The generated server crate (`generated/archastro-server`): one trait per scope family
//! (`RuntimeApi`, ...) with one `async` method per operation taking a typed request (path,
//! query, headers, body) and returning a response enum with a variant per declared status;
//! default bodies answer 501, `unimplemented_operations` lists what an implementation leaves
//! out; an `Authenticator` trait for the spec's security schemes; axum routers that
//! authenticate, extract and validate before any handler runs, and answer every failure in the
//! JSON envelope. Model types are the client's (`archastro_client::types`).

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::client::{Files, GENERATED_MARKER, type_name};
use crate::contract::example;
use crate::families::FamiliesConfig;
use crate::jobs::Job;
use crate::normalize::schema::resolve_schema;
use crate::normalize::{METHODS, Normalized, security_requirements};
use crate::{Error, Result};

/// Where the server crate lives, relative to the output root.
pub const SERVER_DIR: &str = "generated/archastro-server";

fn ident(name: &str) -> proc_macro2::Ident {
    let snake = name.to_snake_case();
    let snake = if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    };
    if syn::parse_str::<syn::Ident>(&snake).is_ok() {
        format_ident!("{}", snake)
    } else {
        format_ident!("{}_", snake)
    }
}

fn type_ident(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", type_name(name))
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
            let trait_name = format_ident!("{}Api", name.to_upper_camel_case());
            let doc_text = format!("{}: {}", family.title, family.description);
            let schemes = security_schemes(normalized);
            let mut out = file_start(&doc_text);
            family_module(name, doc, &trait_name, &schemes, &mut out)?;
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
fn param_type(doc: &Value, schema: &Value) -> TokenStream {
    let schema = resolve_schema(doc, schema);
    match schema["type"].as_str() {
        Some("integer") => quote! { i64 },
        Some("number") => quote! { f64 },
        Some("boolean") => quote! { bool },
        _ => quote! { String },
    }
}

/// The Rust type of a body schema: a shared model type when it is a component.
fn body_type(schema: &Value) -> TokenStream {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => {
            let t = type_ident(&crate::pointer::unescape(name));
            quote! { crate::types::#t }
        }
        None => quote! { serde_json::Value },
    }
}

fn variant_name(code: &str) -> proc_macro2::Ident {
    let reason = code
        .parse::<u16>()
        .ok()
        .and_then(|c| http::StatusCode::from_u16(c).ok())
        .and_then(|s| s.canonical_reason())
        .map(|r| r.to_upper_camel_case());
    match reason {
        Some(r) => format_ident!("{}", r),
        None => format_ident!("Status{}", code.to_ascii_uppercase()),
    }
}

/// Appends one family's module to `out`. Each operation's types and handler are printed as
/// soon as they are made (a file's text is the concatenation of its items' texts), so only
/// the trait, the probes and the routes are held as tokens for the whole family.
fn family_module(
    family: &str,
    doc: &Value,
    trait_name: &proc_macro2::Ident,
    schemes: &[SchemeInfo],
    out: &mut String,
) -> Result<()> {
    let mut items = String::new();
    let mut trait_methods = Vec::new();
    let mut handlers = String::new();
    let mut probes = Vec::new();
    let mut by_path: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    let mut names = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            names.push(id.to_owned());
            let pascal = id.to_upper_camel_case();
            let fn_name = ident(id);
            let handler = format_ident!("handle_{}", id.to_snake_case());
            let path_ty = format_ident!("{}Path", pascal);
            let query_ty = format_ident!("{}Query", pascal);
            let headers_ty = format_ident!("{}Headers", pascal);
            let request_ty = format_ident!("{}Request", pascal);
            let response_ty = format_ident!("{}Response", pascal);
            let summary = op["summary"].as_str().unwrap_or_default();
            let description = op["description"].as_str().unwrap_or_default();
            let op_doc = format!(
                "`{} {path}`: {summary}\n\n{description}",
                method.to_uppercase()
            );
            let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();

            let fields_of = |location: &str| -> Vec<TokenStream> {
                params
                    .iter()
                    .filter(|p| p["in"] == location)
                    .map(|p| {
                        let name = p["name"].as_str().unwrap_or_default();
                        let field = ident(name);
                        let ty = param_type(doc, &p["schema"]);
                        let pdoc = p["description"].as_str().unwrap_or(name).to_owned();
                        let required = p["required"] == Value::Bool(true) || location == "path";
                        if required && location != "header" {
                            quote! { #[doc = #pdoc] #[serde(rename = #name)] pub #field: #ty, }
                        } else {
                            quote! { #[doc = #pdoc] #[serde(rename = #name, default)] pub #field: Option<#ty>, }
                        }
                    })
                    .collect()
            };
            let path_fields = fields_of("path");
            let query_fields = fields_of("query");
            let header_params: Vec<&&Value> =
                params.iter().filter(|p| p["in"] == "header").collect();
            let header_fields = header_params.iter().map(|p| {
                let name = p["name"].as_str().unwrap_or_default();
                let field = ident(name);
                let pdoc = format!("Header `{name}`.");
                quote! { #[doc = #pdoc] pub #field: Option<String>, }
            });
            let header_reads = header_params.iter().map(|p| {
                let field = ident(p["name"].as_str().unwrap_or_default());
                let name = p["name"].as_str().unwrap_or_default().to_ascii_lowercase();
                let required = p["required"] == Value::Bool(true);
                let check = if required {
                    let message = format!("the `{name}` header is required");
                    quote! {
                        if headers.#field.is_none() {
                            return ApiError::bad_request(#message).into_response();
                        }
                    }
                } else {
                    quote! {}
                };
                quote! {
                    headers.#field = archastro_server_support::header_value(&parts.headers, #name).map(str::to_owned);
                    #check
                }
            });
            // Enum and bound checks of query parameters (400 when violated).
            let query_checks = params.iter().filter(|p| p["in"] == "query").map(|p| {
                let name = p["name"].as_str().unwrap_or_default();
                let field = ident(name);
                let schema = resolve_schema(doc, &p["schema"]);
                let required = p["required"] == Value::Bool(true);
                let access = if required { quote! { Some(&query.#field) } } else { quote! { query.#field.as_ref() } };
                let mut checks = Vec::new();
                if let Some(values) = schema["enum"].as_array() {
                    let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                    if !values.is_empty() && schema["type"] == "string" {
                        let message = format!("`{name}` must be one of {}", values.join(", "));
                        checks.push(quote! {
                            if let Some(v) = #access {
                                if ![#(#values),*].contains(&v.as_str()) {
                                    return ApiError::bad_request(#message).into_response();
                                }
                            }
                        });
                    }
                }
                if schema["type"] == "integer" {
                    if let Some(min) = schema["minimum"].as_i64() {
                        let message = format!("`{name}` must be at least {min}");
                        checks.push(quote! { if let Some(v) = #access { if *v < #min { return ApiError::bad_request(#message).into_response(); } } });
                    }
                    if let Some(max) = schema["maximum"].as_i64() {
                        let message = format!("`{name}` must be at most {max}");
                        checks.push(quote! { if let Some(v) = #access { if *v > #max { return ApiError::bad_request(#message).into_response(); } } });
                    }
                }
                quote! { #(#checks)* }
            });

            // The body.
            let body = op.pointer("/requestBody/content/application~1json/schema");
            let body_required = op.pointer("/requestBody/required") == Some(&Value::Bool(true));
            let (body_field_ty, body_read, body_probe) = match body {
                Some(schema) => {
                    let t = body_type(schema);
                    let example_json = example(doc, schema, 0).to_string();
                    if body_required {
                        (
                            quote! { #t },
                            quote! {
                                let bytes = match archastro_server_support::body_bytes(body, state.config.body_limit).await {
                                    Ok(b) => b,
                                    Err(e) => return e.into_response(),
                                };
                                let body: #t = match archastro_server_support::json_body(&bytes) {
                                    Ok(b) => b,
                                    Err(e) => return e.into_response(),
                                };
                            },
                            Some(quote! { serde_json::from_str::<#t>(#example_json).ok() }),
                        )
                    } else {
                        (
                            quote! { Option<#t> },
                            quote! {
                                let bytes = match archastro_server_support::body_bytes(body, state.config.body_limit).await {
                                    Ok(b) => b,
                                    Err(e) => return e.into_response(),
                                };
                                let body: Option<#t> = if bytes.is_empty() {
                                    None
                                } else {
                                    match archastro_server_support::json_body(&bytes) {
                                        Ok(b) => Some(b),
                                        Err(e) => return e.into_response(),
                                    }
                                };
                            },
                            None,
                        )
                    }
                }
                None => (quote! { () }, quote! { let _ = body; let body = (); }, None),
            };

            // Responses.
            let mut variants = Vec::new();
            let mut arms = Vec::new();
            for (code, response) in op["responses"].as_object().into_iter().flatten() {
                let v = variant_name(code);
                let rdoc = format!(
                    "{code}: {}",
                    response["description"].as_str().unwrap_or_default()
                );
                let is_range = code.ends_with("XX");
                let status = if is_range {
                    quote! { status }
                } else {
                    let n: u16 = code.parse().unwrap_or(500);
                    quote! { axum::http::StatusCode::from_u16(#n).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR) }
                };
                let content = response.pointer("/content/application~1json/schema");
                let raw = response["content"]
                    .as_object()
                    .is_some_and(|c| !c.is_empty())
                    && content.is_none();
                let headers: Vec<(String, bool)> = response["headers"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, h)| (name.clone(), h["required"] == Value::Bool(true)))
                    .collect();
                if !headers.is_empty() {
                    // A struct variant: the status (for ranges), the body, and each declared header.
                    let mut fields = Vec::new();
                    let mut names = Vec::new();
                    if is_range {
                        fields.push(quote! { status: axum::http::StatusCode, });
                        names.push(quote! { status });
                    }
                    let body = match (content, raw) {
                        (Some(schema), _) => {
                            let t = body_type(schema);
                            fields.push(quote! { body: #t, });
                            names.push(quote! { body });
                            quote! { archastro_server_support::json_response(#status, &body) }
                        }
                        (None, true) => {
                            fields.push(quote! { body: axum::body::Bytes, });
                            names.push(quote! { body });
                            quote! { (#status, body).into_response() }
                        }
                        (None, false) => quote! { #status.into_response() },
                    };
                    let mut sets = Vec::new();
                    for (name, required) in &headers {
                        let field = ident(name);
                        let hdoc = format!("Header `{name}`.");
                        let lower = name.to_ascii_lowercase();
                        names.push(quote! { #field });
                        if *required {
                            fields.push(quote! { #[doc = #hdoc] #field: String, });
                            sets.push(quote! {
                                if let Ok(value) = axum::http::HeaderValue::from_str(&#field) {
                                    response.headers_mut().insert(#lower, value);
                                }
                            });
                        } else {
                            fields.push(quote! { #[doc = #hdoc] #field: Option<String>, });
                            sets.push(quote! {
                                if let Some(value) = #field.as_deref().and_then(|v| axum::http::HeaderValue::from_str(v).ok()) {
                                    response.headers_mut().insert(#lower, value);
                                }
                            });
                        }
                    }
                    variants.push(quote! { #[doc = #rdoc] #v { #(#fields)* }, });
                    arms.push(quote! {
                        Self::#v { #(#names),* } => {
                            let mut response = #body;
                            #(#sets)*
                            response
                        }
                    });
                    continue;
                }
                match (content, raw, is_range) {
                    (Some(schema), _, false) => {
                        let t = body_type(schema);
                        variants.push(quote! { #[doc = #rdoc] #v(#t), });
                        arms.push(quote! { Self::#v(body) => archastro_server_support::json_response(#status, &body), });
                    }
                    (Some(schema), _, true) => {
                        let t = body_type(schema);
                        variants.push(quote! { #[doc = #rdoc] #v(axum::http::StatusCode, #t), });
                        arms.push(quote! { Self::#v(status, body) => archastro_server_support::json_response(#status, &body), });
                    }
                    (None, true, false) => {
                        variants.push(quote! { #[doc = #rdoc] #v(axum::body::Bytes), });
                        arms.push(quote! { Self::#v(body) => (#status, body).into_response(), });
                    }
                    (None, _, true) => {
                        variants.push(quote! { #[doc = #rdoc] #v(axum::http::StatusCode), });
                        arms.push(quote! { Self::#v(status) => #status.into_response(), });
                    }
                    (None, false, false) => {
                        variants.push(quote! { #[doc = #rdoc] #v, });
                        arms.push(quote! { Self::#v => #status.into_response(), });
                    }
                }
            }

            // Security alternatives.
            let alternatives: Vec<TokenStream> = security_requirements(doc, op)
                .iter()
                .map(|req| {
                    let schemes_of: Vec<TokenStream> = req
                        .iter()
                        .filter_map(|name| schemes.iter().find(|s| &s.name == name))
                        .map(|s| {
                            let v = &s.variant;
                            quote! { crate::Scheme::#v }
                        })
                        .collect();
                    quote! { &[#(#schemes_of),*] }
                })
                .collect();

            let path_doc = format!("Path parameters of `{id}`.");
            let query_doc = format!("Query parameters of `{id}`.");
            let headers_doc = format!("Header parameters of `{id}`.");
            let request_doc = format!("Everything `{id}` receives.");
            let response_doc = format!("Every answer `{id}` declares.");
            format_into(quote! {
                #[doc = #path_doc]
                #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
                pub struct #path_ty { #(#path_fields)* }

                #[doc = #query_doc]
                #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
                pub struct #query_ty { #(#query_fields)* }

                #[doc = #headers_doc]
                #[derive(Debug, Clone, Default, PartialEq)]
                pub struct #headers_ty { #(#header_fields)* }

                #[doc = #request_doc]
                #[derive(Debug, Clone)]
                pub struct #request_ty {
                    pub path: #path_ty,
                    pub query: #query_ty,
                    pub headers: #headers_ty,
                    pub body: #body_field_ty,
                }

                #[doc = #response_doc]
                #[derive(Debug, Clone)]
                #[allow(clippy::large_enum_variant)]
                pub enum #response_ty { #(#variants)* }

                impl IntoResponse for #response_ty {
                    fn into_response(self) -> Response {
                        match self { #(#arms)* }
                    }
                }
            }, &mut items)?;
            trait_methods.push(quote! {
                #[doc = #op_doc]
                fn #fn_name(&self, ctx: &RequestContext, request: #request_ty) -> impl Future<Output = Result<#response_ty, ApiError>> + Send {
                    let _ = (ctx, request);
                    NotImplemented::new(#id)
                }
            });
            let path_read = if path_fields_empty(&params) {
                quote! { let path = #path_ty::default(); let _ = raw_path; }
            } else {
                quote! {
                    let path: #path_ty = match archastro_server_support::path_params(raw_path.0) {
                        Ok(p) => p,
                        Err(e) => return e.into_response(),
                    };
                }
            };
            format_into(quote! {
                async fn #handler<T: #trait_name, A: crate::Authenticator>(
                    State(state): State<Shared<T, A>>,
                    raw_path: axum::extract::Path<Vec<(String, String)>>,
                    request: axum::extract::Request,
                ) -> Response {
                    let (parts, body) = request.into_parts();
                    let principal = match crate::authenticate(&*state.auth, &parts.headers, &[#(#alternatives),*]).await {
                        Ok(p) => p,
                        Err(e) => return e.into_api_error().into_response(),
                    };
                    let ctx = RequestContext::new(&parts, principal);
                    #path_read
                    let query: #query_ty = match archastro_server_support::query(&parts.uri) {
                        Ok(q) => q,
                        Err(e) => return e.into_response(),
                    };
                    #(#query_checks)*
                    #[allow(unused_mut)]
                    let mut headers = #headers_ty::default();
                    #(#header_reads)*
                    #body_read
                    match state.api.#fn_name(&ctx, #request_ty { path, query, headers, body }).await {
                        Ok(response) => response.into_response(),
                        Err(error) => error.into_response(),
                    }
                }
            }, &mut handlers)?;
            let probe_request = quote! {
                #request_ty { path: #path_ty::default(), query: #query_ty::default(), headers: #headers_ty::default(), body }
            };
            let probe = match body_probe {
                // A body built from the spec's example; an operation whose example does not
                // decode is not probed.
                Some(parse) => quote! {
                    #parse.map(|body| archastro_server_support::is_not_implemented(&api.#fn_name(&ctx, #probe_request)))
                },
                None if body.is_some() => quote! {{
                    let body = None;
                    Some(archastro_server_support::is_not_implemented(&api.#fn_name(&ctx, #probe_request)))
                }},
                None => quote! {{
                    let body = ();
                    Some(archastro_server_support::is_not_implemented(&api.#fn_name(&ctx, #probe_request)))
                }},
            };
            probes.push(quote! { (#id, #probe), });
            let method_fn = format_ident!("{}", method);
            by_path
                .entry(path.clone())
                .or_default()
                .push(quote! { #method_fn(#handler::<T, A>) });
        }
    }
    let route_calls = by_path.iter().map(|(path, methods)| {
        let mut chain = methods.iter();
        let first = chain.next().expect("at least one method");
        let rest = chain.map(|m| quote! { .#m });
        quote! { .route(#path, axum::routing::#first #(#rest)*) }
    });
    let names_doc = format!("Every operation of the `{family}` family.");
    let trait_doc = format!(
        "The `{family}` operations. Every method has a default body answering 501 `not_implemented`, so a partial implementation compiles and serves; [`unimplemented_operations`] lists what is left."
    );
    // A family may have no operations; then most of these are unused.
    format_into(quote! {
        #[allow(unused_imports)]
        use std::future::Future;
        use std::sync::Arc;

        #[allow(unused_imports)]
        use axum::extract::State;
        #[allow(unused_imports)]
        use axum::response::{IntoResponse, Response};
        #[allow(unused_imports)]
        use axum::routing::{delete, get, patch, post, put};

        #[allow(unused_imports)]
        use archastro_server_support::{ApiError, NotImplemented, RequestContext};

        use crate::{ServerConfig, Shared};

        #[doc = #names_doc]
        pub const OPERATIONS: &[&str] = &[#(#names),*];
    }, out)?;
    out.push_str(&items);
    drop(items);
    format_into(quote! {
        #[doc = #trait_doc]
        pub trait #trait_name: Send + Sync + 'static {
            #(#trait_methods)*
        }

        /// The operations `api` leaves to their default 501 body (found without running
        /// anything: a default body is recognised by the type of the future it returns).
        #[allow(unused_variables)]
        pub fn unimplemented_operations<T: #trait_name>(api: &T) -> Vec<&'static str> {
            let ctx = RequestContext {
                request_id: String::new(),
                method: axum::http::Method::GET,
                uri: axum::http::Uri::from_static("/"),
                headers: axum::http::HeaderMap::new(),
                principal: None,
            };
            let probes: Vec<(&'static str, Option<bool>)> = vec![#(#probes)*];
            probes.into_iter().filter(|(_, default)| *default == Some(true)).map(|(id, _)| id).collect()
        }
    }, out)?;
    out.push_str(&handlers);
    drop(handlers);
    format_into(quote! {
        /// This family's routes, without fallbacks (to merge with other families).
        pub fn routes<T: #trait_name, A: crate::Authenticator>(api: Arc<T>, auth: Arc<A>, config: ServerConfig) -> axum::Router {
            axum::Router::new()
                #(#route_calls)*
                .with_state(Shared { api, auth, config })
        }

        /// This family alone, with JSON 404 and 405 fallbacks.
        pub fn router<T: #trait_name, A: crate::Authenticator>(api: Arc<T>, auth: Arc<A>, config: ServerConfig) -> axum::Router {
            routes(api, auth, config)
                .fallback(archastro_server_support::not_found_fallback)
                .method_not_allowed_fallback(archastro_server_support::method_not_allowed_fallback)
        }
    }, out)
}

fn path_fields_empty(params: &[&Value]) -> bool {
    !params.iter().any(|p| p["in"] == "path")
}
