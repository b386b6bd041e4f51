//! The generated server crate (`generated/archastro-server`): one trait per scope family
//! (`RuntimeApi`, ...) with one `async` method per operation taking a typed request (path,
//! query, headers, body) and returning a response enum with a variant per declared status;
//! default bodies answer 501, `unimplemented_operations` lists what an implementation leaves
//! out; an `Authenticator` trait for the spec's security schemes; axum routers that
//! authenticate, extract and validate before any handler runs, and answer every failure in the
//! JSON envelope. Model types are the client's (`archastro_client::types`).
//!
//! Reads the typed model ([`crate::model`]); every name from the spec goes through
//! [`crate::names`]. `lib.rs` (small) is built with `quote!` here, the authenticator in
//! [`auth`]; a family module is written as text ([`family`]) from its request types
//! ([`request`]), handlers ([`handler`]) and response enums ([`response`]).

mod auth;
mod family;
mod handler;
mod request;
mod response;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::client::{Files, GENERATED_MARKER, RUST_VERSION};
use crate::families::FamiliesConfig;
use crate::jobs::Job;
use crate::model::{Api, Family};
use crate::names::{module_name, rust_ident, type_name};
use crate::{Error, Result};

/// Where the server crate lives, relative to the output root.
pub const SERVER_DIR: &str = "generated/archastro-server";

/// The version of `crates/archastro-server-support` the server crate requires: a published
/// crate names a version beside each path dependency.
pub const SERVER_SUPPORT_VERSION: &str = "0.1.0";

/// Every file of the server crate, keyed by path relative to the crate directory.
pub fn generate_server(
    api: &Api<'_>,
    config: &FamiliesConfig,
    server_support: &str,
    crate_version: &str,
) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let jobs = server_jobs(api, config, server_support, crate_version);
    for part in crate::jobs::run(jobs) {
        files.extend(part?);
    }
    Ok(files)
}

/// The server crate's files as independent jobs: one per family, then `lib.rs` and
/// `Cargo.toml`. (Tokens cannot cross threads, so each job builds its own.)
pub fn server_jobs<'a>(
    api: &'a Api<'a>,
    config: &'a FamiliesConfig,
    server_support: &'a str,
    crate_version: &'a str,
) -> Vec<Job<'a, Result<Files>>> {
    let mut jobs: Vec<Job<'a, Result<Files>>> = Vec::new();
    for family in api.families_largest_first() {
        jobs.push(Box::new(move || {
            let schemes = auth::security_schemes(api);
            let mut out = file_start(&family_doc(config, family));
            family::family_module(family, &trait_name(family), &schemes, &mut out);
            Ok(vec![(format!("src/{}.rs", module_name(family.name)), out)])
        }));
    }
    jobs.push(Box::new(move || {
        Ok(vec![(
            "src/lib.rs".into(),
            format(lib_rs(api, config), "")?,
        )])
    }));
    let manifest = cargo_toml(server_support, crate_version);
    jobs.push(Box::new(move || Ok(vec![("Cargo.toml".into(), manifest)])));
    jobs
}

/// The name of a family's trait (`RuntimeApi`).
fn trait_name(family: &Family<'_>) -> String {
    type_name(&format!("{}_api", family.name))
}

/// The doc line of a family's module: its title and description in the families file.
fn family_doc(config: &FamiliesConfig, family: &Family<'_>) -> String {
    let configured = config
        .families
        .iter()
        .find(|f| f.name == family.name)
        .expect("families come from config");
    format!("{}: {}", configured.title, configured.description)
}

fn lib_rs(api: &Api<'_>, config: &FamiliesConfig) -> TokenStream {
    let mut modules = Vec::new();
    let mut routes = Vec::new();
    let mut params = Vec::new();
    for family in &api.families {
        let module = format_ident!("{}", module_name(family.name));
        let trait_name = format_ident!("{}", trait_name(family));
        let var = format_ident!("{}", rust_ident(&format!("{}_api", family.name)));
        let doc_text = family_doc(config, family);
        modules.push(quote! {
            #[doc = #doc_text]
            pub mod #module;
        });
        params.push(quote! { #var: Arc<impl #module::#trait_name> });
        routes.push(quote! { .merge(#module::routes(#var, auth.clone(), config)) });
    }
    let operations = api.families.iter().any(|f| !f.operations.is_empty());
    let authenticator = auth::authenticator(&auth::security_schemes(api), operations);
    quote! {
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
    }
}

/// The manifest: publishable after the client and the server support crate, each path
/// dependency with the version it is published under.
fn cargo_toml(server_support: &str, crate_version: &str) -> String {
    format!(
        "# Generated by `cargo xtask regen`, do not edit by hand.\n\
             [package]\n\
             name = \"archastro-server\"\n\
             version = \"{crate_version}\"\n\
             edition = \"2024\"\n\
             rust-version = \"{RUST_VERSION}\"\n\
             description = \"Typed axum server traits for the ArchAstro API\"\n\
             license = \"MIT OR Apache-2.0\"\n\
             repository = \"https://github.com/archastro/archastro-rust\"\n\
             keywords = [\"archastro\", \"api\", \"server\", \"axum\", \"openapi\"]\n\
             categories = [\"api-bindings\", \"web-programming::http-server\"]\n\
             \n\
             [dependencies]\n\
             archastro-client = {{ path = \"../archastro-client\", version = \"{crate_version}\" }}\n\
             archastro-server-support = {{ path = \"{server_support}\", version = \"{SERVER_SUPPORT_VERSION}\" }}\n\
             axum = {{ version = \"0.8\", default-features = false, features = [\"json\", \"query\", \"tokio\", \"http1\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = \"1\"\n"
    )
}

/// `tokens` printed item by item after the file's start.
fn format(tokens: TokenStream, doc: &str) -> Result<String> {
    let mut out = file_start(doc);
    crate::format::format_items(tokens, &mut out).map_err(|e| Error::Generate {
        target: "server".into(),
        message: e.to_string(),
    })?;
    Ok(out)
}

/// The generated marker and the file's doc lines.
fn file_start(doc: &str) -> String {
    let mut out = format!("{GENERATED_MARKER}\n");
    for line in doc.lines() {
        out.push_str(&format!("//! {}\n", line.replace('\r', " ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_support_version_is_the_support_crates() {
        let manifest = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../archastro-server-support/Cargo.toml"
        );
        let table: toml::Table = std::fs::read_to_string(manifest).unwrap().parse().unwrap();
        assert_eq!(
            table["package"]["version"].as_str(),
            Some(SERVER_SUPPORT_VERSION)
        );
    }
}
