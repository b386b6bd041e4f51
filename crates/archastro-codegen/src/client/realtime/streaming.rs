//! `src/streaming.rs`: per streaming operation (`x-sdk-streaming`, Server-Sent Events) an
//! enum of its events, a typed accessor of each `error` event's payload, and `events()` on its
//! request builder over `support::sse`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::surface::{Streaming, doc_lines, event_variants, type_tokens};
use crate::doc_text::code_span;
use crate::names::{ascii_snake_ident, type_name};

/// `src/streaming.rs`: event enums and `events()` on the request builders.
pub(super) fn streaming_rs(streams: &[Streaming]) -> TokenStream {
    let streams = streams.iter().map(stream_tokens);
    quote! {
        #[allow(unused_imports)]
        use crate::types;
        use crate::Error;

        #(#streams)*
    }
}

fn stream_tokens(stream: &Streaming) -> TokenStream {
    let module = format_ident!("{}", crate::names::module_name(&stream.family));
    let builder = format_ident!("{}", type_name(&stream.operation_id));
    let enum_ident = format_ident!("{}Event", type_name(&stream.operation_id));
    let id = &stream.operation_id;
    let variants = event_variants(&stream.events);
    let arms = stream.events.iter().map(|event| {
        let variant = format_ident!("{}", event.variant);
        let name = &event.name;
        quote! { #name => Self::#variant(serde_json::from_str(data)?), }
    });
    let error_names = stream.errors.iter().map(|e| &e.name);
    let error_payloads = stream.errors.iter().map(|event| {
        let payload = type_tokens(&event.payload);
        let name = &event.name;
        let doc = doc_lines(&format!(
            "The typed payload of a {} event that ended the stream ([`Error::StreamEvent`]).",
            code_span(name)
        ));
        let method = format_ident!("{}_payload", ascii_snake_ident(&event.name));
        quote! {
            #(#doc)*
            pub fn #method(error: &Error) -> Option<#payload> {
                match error {
                    Error::StreamEvent { event, payload, .. } if event == #name => {
                        serde_json::from_value(payload.clone()).ok()
                    }
                    _ => None,
                }
            }
        }
    });
    let enum_doc = doc_lines(&format!(
        "The events of [`crate::{module}::builder::{builder}::events`] ({}, Server-Sent Events).{}",
        code_span(id),
        if stream.errors.is_empty() {
            String::new()
        } else {
            " An `error` event is not an item: it ends the stream with [`Error::StreamEvent`]."
                .to_owned()
        }
    ));
    let method_doc = doc_lines(&format!(
        "{}Sends the request and streams its events as they arrive, typed ([`crate::streaming::{enum_ident}`]).\n\nA connection lost mid-stream is resumed with `Last-Event-ID` when the server numbers its events; an HTTP error status is an [`Error::Api`], an `error` event an [`Error::StreamEvent`].",
        if stream.doc.is_empty() {
            String::new()
        } else {
            format!("{}\n\n", crate::doc_text::sanitize(&stream.doc))
        }
    ));
    quote! {
        #(#enum_doc)*
        #[derive(Debug, Clone)]
        // Payload types differ in size; the enum is built once per event.
        #[allow(clippy::large_enum_variant)]
        pub enum #enum_ident {
            #(#variants)*
            /// An event this version of the client does not know (its raw data).
            Other { event: String, data: String },
        }

        impl #enum_ident {
            #(#error_payloads)*
        }

        impl crate::support::sse::Event for #enum_ident {
            fn decode(event: &str, data: &str) -> Result<Self, serde_json::Error> {
                Ok(match event {
                    #(#arms)*
                    _ => Self::Other { event: event.to_owned(), data: data.to_owned() },
                })
            }

            fn is_error(event: &str) -> bool {
                [#(#error_names),*].contains(&event)
            }
        }

        impl<'a> crate::#module::builder::#builder<'a> {
            #(#method_doc)*
            pub fn events(self) -> futures::stream::BoxStream<'a, Result<#enum_ident, Error>> {
                crate::support::sse::events(move |last_event_id| {
                    let request = self.clone();
                    async move {
                        let body = crate::support::sse::scoped(last_event_id, request.send()).await?;
                        Ok(body.into_inner())
                    }
                })
            }
        }
    }
}
