//! One family's module of the server crate, written as text: every shape here is fixed, so
//! the code is laid out as it is written (no token stream, no parser, no pretty-printer);
//! names come from [`rust_ident`] and [`type_name`], text from the spec only ever lands in
//! `///` comments and escaped string literals.
//!
//! The module holds, in this order: its imports, `OPERATIONS`, each operation's request types
//! and response enum, the structs of its object path parameters (`path_objects`, when it has
//! any), the family's trait (one method per operation, each with a 501 default
//! body), `unimplemented_operations`, the handlers, and the `routes`/`router` functions.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::doc_text::{code_span, prefixed};
use crate::model::{Family, Operation};
use crate::names::{doc_comment, fitted, rust_ident, str_lit, type_name};

use super::auth::Scheme;
use super::handler::write_handler;
use super::request::{BodyProbe, RequestBody, write_path_objects, write_request_types};
use super::response::write_response_enum;

/// The names the generated code gives one operation's items.
pub(super) struct OperationNames {
    /// The trait method.
    pub(super) fn_name: String,
    /// The axum handler.
    pub(super) handler: String,
    pub(super) path_ty: String,
    pub(super) query_ty: String,
    pub(super) headers_ty: String,
    pub(super) request_ty: String,
    pub(super) response_ty: String,
}

impl OperationNames {
    fn new(op: &Operation<'_>) -> OperationNames {
        let pascal = type_name(op.id);
        OperationNames {
            fn_name: rust_ident(op.id),
            handler: rust_ident(&format!("handle_{}", op.id)),
            path_ty: format!("{pascal}Path"),
            query_ty: format!("{pascal}Query"),
            headers_ty: format!("{pascal}Headers"),
            request_ty: format!("{pascal}Request"),
            response_ty: format!("{pascal}Response"),
        }
    }
}

/// The imports of every family module. A family may have no operations; then most of them
/// are unused.
const IMPORTS: &str = "#[allow(unused_imports)]\n\
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
     \n";

/// The method router functions the family module imports (`use axum::routing::{...}`).
const IMPORTED_METHOD_ROUTERS: &[&str] = &["delete", "get", "patch", "post", "put"];

/// The pieces of a family module, gathered operation by operation.
#[derive(Default)]
struct FamilyParts<'a> {
    /// The entries of `OPERATIONS` (string literals).
    operation_ids: Vec<String>,
    /// Each operation's request structs, response enum and its conversion.
    items: String,
    trait_methods: String,
    /// The entries of `unimplemented_operations`' probe list.
    probes: String,
    handlers: String,
    /// The method routers of each path (`get(handle_x::<T, A>)`), by path.
    routes: BTreeMap<&'a str, Vec<String>>,
}

/// Appends the module of `family` to `out`.
pub(super) fn family_module(
    family: &Family<'_>,
    trait_name: &str,
    schemes: &[Scheme],
    out: &mut String,
) {
    let mut parts = FamilyParts::default();
    for op in &family.operations {
        parts.add(family, op, trait_name, schemes);
    }
    out.push_str(IMPORTS);
    write_operations(out, family.name, &parts.operation_ids);
    out.push_str(&parts.items);
    drop(parts.items);
    write_path_objects(out, family);
    write_trait(out, family.name, trait_name, &parts.trait_methods);
    write_unimplemented_operations(out, trait_name, &parts.probes);
    out.push_str(&parts.handlers);
    drop(parts.handlers);
    write_routers(out, trait_name, &parts.routes);
}

impl<'a> FamilyParts<'a> {
    /// Adds every piece of `op`.
    fn add(
        &mut self,
        family: &Family<'_>,
        op: &Operation<'a>,
        trait_name: &str,
        schemes: &[Scheme],
    ) {
        let names = OperationNames::new(op);
        let body = RequestBody::new(family.doc, op);
        self.operation_ids.push(str_lit(op.id));
        write_request_types(&mut self.items, family.doc, op, &names, &body);
        write_response_enum(&mut self.items, op, &names.response_ty);
        write_trait_method(&mut self.trait_methods, op, &names);
        write_handler(
            &mut self.handlers,
            family.doc,
            op,
            &names,
            trait_name,
            schemes,
            &body,
        );
        write_probe(&mut self.probes, op.id, &names, &body.probe);
        let methods = self.routes.entry(op.path).or_default();
        let method = op.method.as_str();
        // The first method router of a path is a function: the five the module imports by
        // name, any other (`head`) by its path.
        let module = if methods.is_empty() && !IMPORTED_METHOD_ROUTERS.contains(&method) {
            "axum::routing::"
        } else {
            ""
        };
        methods.push(format!("{module}{method}({}::<T, A>)", names.handler));
    }
}

/// `OPERATIONS`: the family's operation ids.
fn write_operations(out: &mut String, family: &str, ids: &[String]) {
    doc_comment(
        out,
        "",
        &format!("Every operation of the `{family}` family."),
    );
    if ids.is_empty() {
        out.push_str("pub const OPERATIONS: &[&str] = &[];\n");
    } else {
        let _ = write!(
            out,
            "pub const OPERATIONS: &[&str] = &[\n    {},\n];\n",
            ids.join(",\n    ")
        );
    }
}

/// One method of the family's trait, with its default 501 body.
fn write_trait_method(out: &mut String, op: &Operation<'_>, names: &OperationNames) {
    out.push('\n');
    let route = code_span(&format!("{} {}", op.method.upper(), op.path));
    let doc = format!(
        "{}\n\n{}",
        prefixed(&format!("{route}:"), op.summary),
        op.description
    );
    doc_comment(out, "    ", &doc);
    let _ = write!(
        out,
        "    fn {}(\n\
         \x20       &self,\n\
         \x20       ctx: &RequestContext,\n\
         \x20       request: {},\n\
         \x20   ) -> impl Future<Output = Result<{}, ApiError>> + Send {{\n\
         \x20       let _ = (ctx, request);\n\
         \x20       NotImplemented::new({})\n\
         \x20   }}\n",
        names.fn_name,
        names.request_ty,
        names.response_ty,
        str_lit(op.id)
    );
}

/// The family's trait.
fn write_trait(out: &mut String, family: &str, trait_name: &str, methods: &str) {
    doc_comment(
        out,
        "",
        &format!(
            "The `{family}` operations. Every method has a default body answering 501 `not_implemented`, so a partial implementation compiles and serves; [`unimplemented_operations`] lists what is left."
        ),
    );
    // A method is named after its operation (`new_session`, `from_file`, `to_csv`), whatever
    // clippy expects of such names.
    let _ = writeln!(
        out,
        "#[allow(clippy::wrong_self_convention, clippy::new_ret_no_self)]\npub trait {trait_name}: Send + Sync + 'static {{{methods}}}"
    );
}

/// One entry of `unimplemented_operations`' probe list: the operation called with default
/// parameters and `body`; an operation whose example body does not decode is not probed.
fn write_probe(out: &mut String, id: &str, names: &OperationNames, body: &BodyProbe) {
    let call = format!(
        "support::is_not_implemented(&api.{}(\n\
         \x20               &ctx,\n\
         \x20               {} {{\n\
         \x20                   path: {}::default(),\n\
         \x20                   query: {}::default(),\n\
         \x20                   headers: {}::default(),\n\
         \x20                   body,\n\
         \x20               }},\n\
         \x20           ))",
        names.fn_name, names.request_ty, names.path_ty, names.query_ty, names.headers_ty
    );
    let id = str_lit(id);
    let _ = match body {
        BodyProbe::Example { ty, json } => write!(
            out,
            "        ({id}, {{\n\
             {}\
             \x20           body.ok().map(|body| {{\n\
             \x20               {}\n\
             \x20           }})\n\
             \x20       }}),\n",
            fitted(
                &format!("            let body = serde_json::from_str::<{ty}>({json});\n"),
                &format!(
                    "            let body =\n                serde_json::from_str::<{ty}>({json});\n"
                ),
                &format!(
                    "            let body = serde_json::from_str::<{ty}>(\n                {json},\n            );\n"
                ),
            ),
            call.replace('\n', "\n    ")
        ),
        BodyProbe::Absent | BodyProbe::Unit => write!(
            out,
            "        ({id}, {{\n            let body = {};\n            Some({call})\n        }}),\n",
            if matches!(body, BodyProbe::Absent) {
                "None"
            } else {
                "()"
            }
        ),
    };
}

/// `unimplemented_operations`, which runs the probes.
fn write_unimplemented_operations(out: &mut String, trait_name: &str, probes: &str) {
    let probes = if probes.is_empty() {
        "vec![]".to_owned()
    } else {
        format!("vec![\n{probes}    ]")
    };
    let _ = write!(
        out,
        "/// The operations `api` leaves to their default 501 body (found without running\n\
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
}

/// `routes` (the family's routes, to merge) and `router` (the family alone, with fallbacks).
fn write_routers(out: &mut String, trait_name: &str, by_path: &BTreeMap<&str, Vec<String>>) {
    let mut routes = String::new();
    for (path, methods) in by_path {
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
