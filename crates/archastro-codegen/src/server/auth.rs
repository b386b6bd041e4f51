//! Authentication in the server crate: the spec's security schemes (every family's
//! `components.securitySchemes`), the `Authenticator` trait and `Scheme` enum of `lib.rs`, and
//! the alternatives each handler checks (the operation's security requirements).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::model::{Api, Operation};
use crate::names::{rust_ident, type_name};

/// One security scheme: its name in the spec, how it is sent, and the authenticator method.
pub(super) struct Scheme {
    name: String,
    /// The API key's header (lower case), `None` for a bearer token.
    header: Option<String>,
    /// The `Authenticator` method checking its credential.
    method: String,
    /// The `Scheme` variant.
    variant: String,
    description: String,
}

/// The security schemes of every family, by name (the first family declaring a name wins).
pub(super) fn security_schemes(api: &Api<'_>) -> Vec<Scheme> {
    let mut all: BTreeMap<&str, &Value> = BTreeMap::new();
    for family in &api.families {
        for (name, scheme) in family
            .doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            all.entry(name).or_insert(scheme);
        }
    }
    all.into_iter()
        .map(|(name, scheme)| Scheme::new(name, scheme))
        .collect()
}

impl Scheme {
    fn new(name: &str, scheme: &Value) -> Scheme {
        let header = match scheme["type"].as_str() {
            Some("apiKey") => Some(
                scheme["name"]
                    .as_str()
                    .unwrap_or("x-api-key")
                    .to_ascii_lowercase(),
            ),
            _ => None,
        };
        let sent = match &header {
            Some(h) => format!(" (header `{h}`)"),
            None => " (`Authorization: Bearer`)".into(),
        };
        Scheme {
            method: rust_ident(name),
            variant: type_name(name),
            description: format!(
                "`{name}`: {}{sent}",
                scheme["description"].as_str().unwrap_or_default()
            ),
            name: name.to_owned(),
            header,
        }
    }
}

/// The `&[Scheme::A, Scheme::B]` alternatives of an operation's security requirements, as
/// the items of a slice literal (empty for a public operation).
pub(super) fn alternatives(op: &Operation<'_>, schemes: &[Scheme]) -> String {
    let alternatives: Vec<String> = op
        .security
        .iter()
        .map(|requirement| {
            let variants: Vec<String> = requirement
                .iter()
                .filter_map(|name| schemes.iter().find(|s| s.name == *name))
                .map(|s| format!("Scheme::{}", s.variant))
                .collect();
            format!("&[{}]", variants.join(", "))
        })
        .collect();
    alternatives.join(", ")
}

/// `lib.rs`'s `Authenticator` trait, `Scheme` enum and `authenticate` function (which only
/// the handlers call: none without `operations`).
pub(super) fn authenticator(schemes: &[Scheme], operations: bool) -> TokenStream {
    let methods = schemes.iter().map(|s| {
        let (m, d) = (format_ident!("{}", s.method), &s.description);
        quote! {
            #[doc = #d]
            fn #m(&self, credential: &str) -> impl std::future::Future<Output = Result<Principal, AuthError>> + Send;
        }
    });
    let variants: Vec<_> = schemes
        .iter()
        .map(|s| format_ident!("{}", s.variant))
        .collect();
    let names = schemes.iter().map(|s| s.name.as_str());
    let authenticate = operations.then(|| authenticate(schemes));
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
                        #(Scheme::#variants => #names),*
                    }
                }
            }

    #authenticate
        }
}

/// `authenticate`: tries an operation's alternatives in order (every operation is public when
/// the spec has no security schemes).
fn authenticate(schemes: &[Scheme]) -> TokenStream {
    if schemes.is_empty() {
        return quote! {
            pub(crate) async fn authenticate<A: Authenticator>(_: &A, _: &axum::http::HeaderMap, _: &[&[Scheme]]) -> Result<Option<Principal>, AuthError> {
                Ok(None)
            }
        };
    }
    let checks = schemes.iter().map(|s| {
        let (v, m) = (
            format_ident!("{}", s.variant),
            format_ident!("{}", s.method),
        );
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
}
