//! The generated `lib.rs`: the README as the crate's documentation, the `ArchAstro` facade and its builder, one module and accessor
//! per scope family, the `ClientHooks` that route every request of a family through the
//! runtime with the operation's security table (and `execute_operation`, through which each
//! operation's `send_with_response` calls them with its builder's settings), the pagination streams ([`super::pagination`]),
//! the device and refresh flows, and how array and object path parameters are written
//! ([`super::segments`]). Read from the model: operations, their security and the
//! document's token flows.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::pagination::pagination_streams;
use super::realtime::Realtime;
use super::segments::segment_displays;
use crate::families::FamiliesConfig;
use crate::model::{Api, Family, Method, Operation};
use crate::names::module_name;

/// The crate root: the `ArchAstro` facade, its builder, and the hooks that route every request
/// of every family through the runtime.
pub(super) fn lib_rs(api: &Api<'_>, config: &FamiliesConfig, realtime: &Realtime) -> TokenStream {
    let families: Vec<FamilyGlue> = api
        .families
        .iter()
        .map(|family| FamilyGlue::new(family, config))
        .collect();
    let modules = families.iter().map(|f| &f.module);
    let hooks = families.iter().map(|f| &f.hooks);
    let streams = api.families.iter().flat_map(pagination_streams);
    let (refresh_path, refresh_security) = refresh_flow(api);
    let client = client_struct(&families, refresh_path);
    let builder = builder_struct(&families);
    let device_flow = device_flow(api);
    let segment_displays = segment_displays(api);
    let channels_module = realtime.has_channels().then(|| {
        quote! {
            /// The realtime channels: open a socket with [`ArchAstro::connect_socket`], then join
            /// a channel through its facade, or from the resource whose path parameters give
            /// its topic (`api.runtime().user(user_id).channel(&socket)`).
            pub mod channels;
        }
    });
    let streaming_module = realtime.has_streams().then(|| {
        quote! {
            /// The events of the streaming operations: call `events()` on their request builders.
            pub mod streaming;
        }
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![forbid(unsafe_code)]

        use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

        pub use support::{
            Credentials, DeviceAuthorization, Error, RetryPolicy, Runtime, TokenStore, Tokens,
            paginate,
        };
        pub use progenitor_client::{ByteStream, ResponseValue};

        /// Types shared by every scope family.
        #[rustfmt::skip]
        #[allow(clippy::all)]
        pub mod types;
        // Documented by its own `//!` lines (outer docs here would make rustdoc resolve its
        // links from the crate root).
        pub mod support;
        #(#modules)*
        #channels_module
        #streaming_module

        #client

        #builder

        /// The credentials the refresh operation accepts.
        const REFRESH_SECURITY: &[&[crate::support::Scheme]] = #refresh_security;

        #(#hooks)*

        #(#streams)*

        #device_flow

        #segment_displays
    }
}

/// What one scope family adds to `lib.rs`.
struct FamilyGlue {
    /// `pub mod family;`
    module: TokenStream,
    /// Its client, a field of `ArchAstro`.
    field: TokenStream,
    /// The field's initializer in `Builder::build`.
    init: TokenStream,
    /// `ArchAstro::family()`.
    accessor: TokenStream,
    /// Its `ClientHooks`, with the family's security and path template tables.
    hooks: TokenStream,
}

impl FamilyGlue {
    fn new(family: &Family<'_>, config: &FamiliesConfig) -> FamilyGlue {
        let configured = config
            .families
            .iter()
            .find(|f| f.name == family.name)
            .expect("families come from config");
        let ident = format_ident!("{}", module_name(family.name));
        let mod_doc = format!("{}: {}", configured.title, configured.description);
        let accessor_doc = format!(
            "The {} operations: {}",
            configured.title, configured.description
        );
        let security = security_fn(family);
        let templates = path_template_fn(family);
        let execute = execute_operation(&ident, family);
        let (content_types, set_content_type) = content_type_fn(family);
        FamilyGlue {
            module: quote! {
                #[doc = #mod_doc]
                #[rustfmt::skip]
                #[allow(unused_imports)]
                pub mod #ident;
            },
            field: quote! { #ident: #ident::Client, },
            init: quote! { #ident: #ident::Client::new_with_client(&base_url, http.clone(), support.clone()), },
            accessor: quote! {
                #[doc = #accessor_doc]
                pub fn #ident(&self) -> &#ident::Client {
                    &self.#ident
                }
            },
            hooks: quote! {
                const _: () = {
                    #security
                    #templates
                    #execute
                    #content_types
                    impl ClientHooks<Runtime> for #ident::Client {
                        async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> Result<(), progenitor_client::Error<E>> {
                            #set_content_type
                            self.inner().check_request_path(request, path_template(info.operation_id)).map_err(progenitor_client::Error::InvalidRequest)
                        }
                        async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
                            let operation = info.operation_id;
                            self.inner().execute(self.client(), request, security(operation), path_template(operation)).await
                        }
                    }
                };
            },
        }
    }
}

/// `execute_operation` of a family's client, through which each operation's
/// `send_with_response` calls the hooks with its builder's settings; none for a family without
/// operations.
fn execute_operation(ident: &Ident, family: &Family<'_>) -> TokenStream {
    if family.operations.is_empty() {
        return quote! {};
    }
    quote! {
        impl #ident::Client {
            /// Sends the request of `operation_id` through the runtime (its path
            /// checked, its credentials set, retried) with a builder's settings,
            /// and the API version every operation sends.
            pub(crate) async fn execute_operation(
                &self,
                mut request: reqwest::Request,
                operation_id: &'static str,
                settings: crate::support::RequestSettings,
            ) -> Result<reqwest::Response, Error> {
                request.headers_mut().insert(
                    reqwest::header::HeaderName::from_static("api-version"),
                    reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                let info = OperationInfo { operation_id };
                self.pre::<()>(&mut request, &info).await?;
                Ok(crate::support::call::scoped(settings, self.exec(request, &info)).await?)
            }
        }
    }
}

/// `ArchAstro`: a field and an accessor per family.
fn client_struct(families: &[FamilyGlue], refresh_path: &str) -> TokenStream {
    let fields = families.iter().map(|f| &f.field);
    let accessors = families.iter().map(|f| &f.accessor);
    quote! {
        /// The client: one per base URL and set of credentials. Cheap to clone; clones share
        /// credentials, tokens and the connection pool.
        #[derive(Clone, Debug)]
        pub struct ArchAstro {
            support: Runtime,
            #(#fields)*
        }

        impl ArchAstro {
            /// The production API.
            pub const DEFAULT_BASE_URL: &'static str = "https://api.archastro.ai";
            /// Where `refresh` tokens are exchanged, from the spec's token flows.
            pub const REFRESH_PATH: &'static str = #refresh_path;

            /// Starts configuring a client.
            pub fn builder() -> Builder {
                Builder {
                    inner: crate::support::RuntimeBuilder::new(Self::DEFAULT_BASE_URL, Self::REFRESH_PATH, REFRESH_SECURITY),
                }
            }

            /// The runtime: credentials, tokens, retries.
            pub fn support(&self) -> &Runtime {
                &self.support
            }

            /// Stores the tokens of a login, refresh or token-exchange response, so that later
            /// calls send the access token and renew it when it expires.
            pub fn store_tokens<T: serde::Serialize>(&self, response: &T) -> Result<Tokens, Error> {
                self.support.store_tokens_from(response)
            }

            #(#accessors)*

            /// Opens the realtime socket (Phoenix channels) with the current access token; it
            /// reconnects and rejoins by itself. The URL is the base URL's
            /// `/socket/websocket` unless `options.url` says otherwise.
            pub async fn connect_socket(
                &self,
                options: support::channels::SocketOptions,
            ) -> Result<support::channels::Socket, Error> {
                support::channels::Socket::connect(&self.support, options).await
            }
        }
    }
}

/// `Builder`: the credentials and policies, then `build()`.
fn builder_struct(families: &[FamilyGlue]) -> TokenStream {
    let inits = families.iter().map(|f| &f.init);
    quote! {
        /// Configures an [`ArchAstro`] client.
        #[derive(Debug)]
        pub struct Builder {
            inner: crate::support::RuntimeBuilder,
        }

        impl Builder {
            /// The API's base URL (default [`ArchAstro::DEFAULT_BASE_URL`]).
            pub fn base_url(mut self, url: impl Into<String>) -> Self {
                self.inner = self.inner.base_url(url);
                self
            }
            /// A secret key (`sk_...`), sent in the API-key header to operations that accept it.
            pub fn secret_key(mut self, key: impl Into<String>) -> Self {
                self.inner = self.inner.secret_key(key);
                self
            }
            /// A publishable key (`pk_...`), sent to operations that accept it.
            pub fn publishable_key(mut self, key: impl Into<String>) -> Self {
                self.inner = self.inner.publishable_key(key);
                self
            }
            /// A bearer token (a JWT access token), sent as `Authorization: Bearer`.
            pub fn bearer(mut self, token: impl Into<String>) -> Self {
                self.inner = self.inner.bearer(token);
                self
            }
            /// Access and refresh tokens from an earlier login.
            pub fn tokens(mut self, tokens: Tokens) -> Self {
                self.inner = self.inner.tokens(tokens);
                self
            }
            /// Timeout of one HTTP attempt (default 30 s).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.inner = self.inner.timeout(timeout);
                self
            }
            /// Retries of idempotent requests (default: 3 with exponential backoff and jitter).
            pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
                self.inner = self.inner.retry_policy(policy);
                self
            }
            /// Where tokens the client refreshes (or gets from the device flow) are saved, so
            /// that a rotated refresh token outlives the process.
            pub fn token_store(mut self, store: std::sync::Arc<dyn TokenStore>) -> Self {
                self.inner = self.inner.token_store(store);
                self
            }
            /// Builds the client.
            pub fn build(self) -> Result<ArchAstro, Error> {
                let (support, http) = self.inner.build()?;
                let base_url = support.base_url().to_owned();
                Ok(ArchAstro {
                    #(#inits)*
                    support,
                })
            }
        }
    }
}

/// `ArchAstro::REFRESH_PATH` and `REFRESH_SECURITY`: the path and the security alternatives of
/// the refresh operation of `x-token-flows` (none: `""` and `&[]`).
fn refresh_flow<'a>(api: &'a Api<'_>) -> (&'a str, TokenStream) {
    match api.refresh_operation() {
        Some((family, op)) => (op.path, alternatives(family, op)),
        None => ("", quote! { &[] }),
    }
}

/// `device_authorize` / `device_poll` on the facade when the spec has the device flow's two
/// operations (`POST .../device/authorize` and `POST .../oauth/token`).
fn device_flow(api: &Api<'_>) -> TokenStream {
    let find = |suffix: &str| {
        api.operations()
            .find(|(_, op)| op.method == Method::Post && op.path.ends_with(suffix))
            .map(|(family, op)| (op.path, alternatives(family, op)))
    };
    let (Some((authorize_path, authorize_security)), Some((token_path, token_security))) =
        (find("/device/authorize"), find("/oauth/token"))
    else {
        return quote! {};
    };
    quote! {
            impl ArchAstro {
                /// Starts the OAuth device flow: show the returned `user_code` and
                /// `verification_uri` to the user, then call [`ArchAstro::device_poll`].
                pub async fn device_authorize(&self, client_id: &str, scope: Option<&str>) -> Result<DeviceAuthorization, Error> {
                    self.support.device_authorize(#authorize_path, #authorize_security, client_id, scope).await
                }

                /// Polls for the device flow's tokens at the server's interval (slowing down when
                /// asked) until the user approves; stores and returns them.
                pub async fn device_poll(&self, client_id: &str, authorization: &DeviceAuthorization) -> Result<Tokens, Error> {
                    self.support.device_poll(#token_path, #token_security, client_id, authorization).await
                }
            }
    }
}

/// `fn security(operation_id) -> &'static [&'static [Scheme]]`: the alternatives each operation
/// of `family` accepts (each alternative is a set of schemes that must all be present), one
/// match arm per distinct table.
fn security_fn(family: &Family<'_>) -> TokenStream {
    if family.operations.is_empty() {
        // A family without operations: nothing to look up.
        return quote! {
            fn security(_operation_id: &str) -> &'static [&'static [crate::support::Scheme]] {
                &[]
            }
        };
    }
    // One arm per distinct table, listing its operations in the family's order: most
    // operations of a family share one of a few tables.
    let mut tables: Vec<(String, TokenStream, Vec<&str>)> = Vec::new();
    for op in &family.operations {
        let table = alternatives(family, op);
        let key = table.to_string();
        match tables.iter_mut().find(|(k, ..)| *k == key) {
            Some((.., ids)) => ids.push(op.id),
            None => tables.push((key, table, vec![op.id])),
        }
    }
    let arms = tables
        .iter()
        .map(|(_, table, ids)| quote! { #(#ids)|* => #table, });
    quote! {
            fn security(operation_id: &str) -> &'static [&'static [crate::support::Scheme]] {
                match operation_id {
                    #(#arms)*
                    _ => &[],
                }
            }
    }
}

/// `fn path_template(operation_id) -> &'static str`: each operation's path as the spec
/// writes it (`{name}` for a parameter), which the runtime compares with the URL about to be
/// sent (an empty template for an unknown id is not checked).
fn path_template_fn(family: &Family<'_>) -> TokenStream {
    if family.operations.is_empty() {
        // A family without operations: nothing to look up.
        return quote! {
            fn path_template(_operation_id: &str) -> &'static str {
                ""
            }
        };
    }
    let arms = family.operations.iter().map(|op| {
        let (id, path) = (op.id, op.path);
        quote! { #id => #path, }
    });
    quote! {
        fn path_template(operation_id: &str) -> &'static str {
            match operation_id {
                #(#arms)*
                _ => "",
            }
        }
    }
}

/// `fn content_type(operation_id) -> Option<&'static str>` and the statement of `pre` that sets
/// it: the media type of each raw body sent for one the client cannot type (`text/xml` as
/// text). Nothing when no operation of `family` has one.
fn content_type_fn(family: &Family<'_>) -> (TokenStream, TokenStream) {
    let arms: Vec<TokenStream> = family
        .operations
        .iter()
        .filter_map(|op| {
            let media = op.body.as_ref()?.wire_media_type?;
            let id = op.id;
            Some(quote! { #id => Some(#media), })
        })
        .collect();
    if arms.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let lookup = quote! {
        fn content_type(operation_id: &str) -> Option<&'static str> {
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    };
    let set = quote! {
        if let Some(media_type) = content_type(info.operation_id) {
            request.headers_mut().insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static(media_type));
        }
    };
    (lookup, set)
}

/// `&[&[Scheme, ...], ...]`: the security alternatives of `op` (schemes the runtime does not
/// know are left out).
fn alternatives(family: &Family<'_>, op: &Operation<'_>) -> TokenStream {
    let alternatives = op.security.iter().map(|requirement| {
        let schemes = requirement
            .iter()
            .map(|name| scheme_tokens(family, name))
            .filter(|t| !t.is_empty());
        quote! { &[#(#schemes),*] }
    });
    quote! { &[#(#alternatives),*] }
}

/// One security scheme, as the runtime sees it: a bearer token, or an API key (publishable
/// when its name, prefix or description says so, else secret) in a header. Empty for a scheme
/// it does not know.
fn scheme_tokens(family: &Family<'_>, name: &str) -> TokenStream {
    let Some(scheme) = family.security_scheme(name) else {
        return quote! {};
    };
    match scheme.kind {
        "http" => quote! { crate::support::Scheme::Bearer },
        "apiKey" => {
            let header = scheme.name.unwrap_or("x-api-key").to_ascii_lowercase();
            let hint = format!("{} {} {}", name, scheme.key_prefix, scheme.description)
                .to_ascii_lowercase();
            let kind = if hint.contains("pk_") || hint.contains("publishable") {
                quote! { crate::support::KeyKind::Publishable }
            } else {
                quote! { crate::support::KeyKind::Secret }
            };
            quote! { crate::support::Scheme::ApiKey { header: #header, kind: #kind } }
        }
        _ => quote! {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn doc() -> Value {
        json!({
            "security": [{"bearer": []}],
            "x-token-flows": {"refresh": {"operation_name": "refresh_token"}},
            "components": {"securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "publishable": {"type": "apiKey", "in": "header", "name": "X-Key", "x-key-prefix": "pk_"},
                "oauth": {"type": "oauth2"}
            }},
            "paths": {
                "/v1/device/authorize": {"post": {"operationId": "authorize", "security": [{"publishable": [], "oauth": []}]}},
                "/v1/oauth/token": {"post": {"operationId": "refresh_token", "security": []}},
                "/v1/me": {"get": {"operationId": "me"}},
                "/v1/you": {"get": {"operationId": "you"}}
            }
        })
    }

    #[test]
    fn security_tables_read_each_operations_alternatives() {
        let doc = doc();
        let family = Family::new("auth", &doc).unwrap();
        let table = security_fn(&family).to_string();
        assert!(
            table.contains(r#""authorize" => & [& [crate :: support :: Scheme :: ApiKey { header : "x-key" , kind : crate :: support :: KeyKind :: Publishable }]]"#),
            "{table}"
        );
        assert!(table.contains(r#""refresh_token" => & []"#), "{table}");
        assert!(
            table.contains(r#""me" | "you" => & [& [crate :: support :: Scheme :: Bearer]]"#),
            "{table}"
        );
    }

    #[test]
    fn device_and_refresh_flows_are_found_by_path_and_token_flow() {
        let doc = doc();
        let api = Api {
            families: vec![Family::new("auth", &doc).unwrap()],
            ascii: true,
        };
        let (path, security) = refresh_flow(&api);
        assert_eq!(
            (path, security.to_string().as_str()),
            ("/v1/oauth/token", "& []")
        );
        let device = device_flow(&api).to_string();
        assert!(
            device.contains(r#"device_authorize ("/v1/device/authorize""#),
            "{device}"
        );
        assert!(
            device.contains(r#"device_poll ("/v1/oauth/token""#),
            "{device}"
        );
        let without = Api {
            families: vec![],
            ascii: true,
        };
        assert!(device_flow(&without).is_empty());
        assert_eq!(refresh_flow(&without).0, "");
    }
}
