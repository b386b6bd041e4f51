//! The realtime surface as it is generated, every name already an identifier: channels with
//! their joins, messages and pushes, streaming operations with their events; and the token
//! pieces both generated files use (payload types, doc lines, event variants).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::doc_text::code_span;

/// A channel's facade.
#[derive(Debug)]
pub(super) struct Channel {
    pub(super) name: String,
    /// The channel's name in the spec (`x-channels/N/name`).
    pub(super) source: String,
    pub(super) doc: String,
    pub(super) joins: Vec<Join>,
    pub(super) messages: Vec<Message>,
    pub(super) pushes: Vec<Event>,
}

/// A constructor of a channel's facade: joins a topic built from the params.
#[derive(Debug)]
pub(super) struct Join {
    pub(super) method: String,
    pub(super) pattern: String,
    pub(super) doc: String,
    pub(super) params: Option<String>,
    pub(super) reply: Option<String>,
}

/// A method of a channel's facade: sends a client message and decodes its reply.
#[derive(Debug)]
pub(super) struct Message {
    pub(super) method: String,
    pub(super) event: String,
    pub(super) doc: String,
    pub(super) params: Option<String>,
    pub(super) reply: Option<String>,
}

/// A declared push or SSE event: wire name, enum variant, payload type.
#[derive(Debug)]
pub(super) struct Event {
    pub(super) name: String,
    pub(super) variant: String,
    pub(super) doc: String,
    pub(super) payload: Option<String>,
}

/// A streaming operation (Server-Sent Events) and its declared events.
#[derive(Debug)]
pub(super) struct Streaming {
    pub(super) family: String,
    pub(super) operation_id: String,
    pub(super) doc: String,
    pub(super) events: Vec<Event>,
    /// Events that report a failure (named `error`), with their payload types.
    pub(super) errors: Vec<Event>,
}

/// `types::Name`, or `serde_json::Value` without a schema.
pub(super) fn type_tokens(ty: &Option<String>) -> TokenStream {
    match ty {
        Some(name) => {
            let ident = format_ident!("{}", name);
            quote! { types::#ident }
        }
        None => quote! { serde_json::Value },
    }
}

/// The spec's `doc` made doc Markdown ([`crate::doc_text::sanitize`]), or `fallback` (this
/// generator's own text) when it is blank.
pub(super) fn doc_or(doc: &str, fallback: String) -> String {
    if doc.trim().is_empty() {
        fallback
    } else {
        crate::doc_text::sanitize(doc).into_owned()
    }
}

/// One `#[doc]` line per line of `text`: this generator's own Markdown, with every part that
/// comes from the spec already made safe ([`doc_or`], [`crate::doc_text::code_span`]) so
/// that its intra-doc links stay links.
pub(super) fn doc_lines(text: &str) -> Vec<TokenStream> {
    text.lines()
        .map(|line| {
            let line = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            quote! { #[doc = #line] }
        })
        .collect()
}

/// `Variant(Payload),` with its doc, for each declared push or event.
pub(super) fn event_variants(events: &[Event]) -> Vec<TokenStream> {
    events
        .iter()
        .map(|event| {
            let variant = format_ident!("{}", event.variant);
            let payload = type_tokens(&event.payload);
            let doc = doc_lines(&doc_or(&event.doc, code_span(&event.name)));
            quote! {
                #(#doc)*
                #variant(#payload),
            }
        })
        .collect()
}
