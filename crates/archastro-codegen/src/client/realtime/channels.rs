//! `src/channels.rs`: a facade per channel over `support::channels` (a constructor per join,
//! a method per message, `events()` as a stream of the typed pushes) and its events enum.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::surface::{Channel, doc_lines, doc_or, event_variants, type_tokens};
use crate::doc_text::{self, code_span};

/// `src/channels.rs`: the facades.
pub(super) fn channels_rs(channels: &[Channel]) -> TokenStream {
    let channels = channels.iter().map(channel_tokens);
    quote! {
        use futures::StreamExt as _;

        #[allow(unused_imports)]
        use crate::types;
        pub use crate::support::channels::{Channel, Events, Push, Socket, SocketOptions, TokenSource};
        use crate::Error;

        fn to_params<T: serde::Serialize>(params: &T) -> Result<serde_json::Value, Error> {
            serde_json::to_value(params).map_err(|e| Error::InvalidRequest(e.to_string()))
        }

        fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
            serde_json::from_value(value).map_err(|source| Error::Decode { status: None, source })
        }

        #(#channels)*
    }
}

fn channel_tokens(channel: &Channel) -> TokenStream {
    let ident = format_ident!("{}", channel.name);
    let event_ident = format_ident!("{}Event", channel.name);
    let doc = doc_lines(&doc_or(
        &channel.doc,
        format!("The `{}` channel.", channel.name),
    ));
    let joins = channel.joins.iter().map(|join| {
        let method = format_ident!("{}", join.method);
        let pattern = &join.pattern;
        let params = type_tokens(&join.params);
        let reply = type_tokens(&join.reply);
        let doc = doc_lines(&format!(
            "Joins {} (the topic is built from `params`).{}",
            code_span(pattern),
            if join.doc.trim().is_empty() {
                String::new()
            } else {
                format!("\n\n{}", doc_text::sanitize(&join.doc))
            }
        ));
        quote! {
            #(#doc)*
            pub async fn #method(socket: &Socket, params: &#params) -> Result<(Self, #reply), Error> {
                let params = to_params(params)?;
                let topic = crate::support::channels::topic(#pattern, &params)?;
                let (channel, reply) = socket.join(topic, params).await?;
                Ok((Self { channel }, decode(reply)?))
            }
        }
    });
    let messages = channel.messages.iter().map(|message| {
        let method = format_ident!("{}", message.method);
        let event = &message.event;
        let reply = type_tokens(&message.reply);
        let doc = doc_lines(&doc_or(
            &message.doc,
            format!("Sends {} and waits for the reply.", code_span(event)),
        ));
        match &message.params {
            Some(_) => {
                let params = type_tokens(&message.params);
                quote! {
                    #(#doc)*
                    pub async fn #method(&self, params: &#params) -> Result<#reply, Error> {
                        decode(self.channel.push(#event, to_params(params)?).await?)
                    }
                }
            }
            None => quote! {
                #(#doc)*
                pub async fn #method(&self) -> Result<#reply, Error> {
                    decode(self.channel.push(#event, serde_json::json!({})).await?)
                }
            },
        }
    });
    let variants = event_variants(&channel.pushes);
    let arms = channel.pushes.iter().map(|push| {
        let variant = format_ident!("{}", push.variant);
        let name = &push.name;
        quote! { #name => Self::#variant(decode(push.payload)?), }
    });
    let names = channel.pushes.iter().map(|push| {
        let variant = format_ident!("{}", push.variant);
        let name = &push.name;
        quote! { Self::#variant(_) => #name, }
    });
    let events_doc = doc_lines(&format!(
        "The pushes of [`{}`], each with its typed payload.",
        channel.name
    ));
    quote! {
        #(#doc)*
        #[derive(Debug)]
        pub struct #ident {
            channel: Channel,
        }

        impl #ident {
            #(#joins)*

            /// The topic joined.
            pub fn topic(&self) -> &str {
                self.channel.topic()
            }

            #(#messages)*

            /// The channel's pushes, typed, in arrival order (one stream per channel). A push
            /// whose payload does not match the spec is an error item; the stream goes on.
            pub fn events(&self) -> futures::stream::BoxStream<'static, Result<#event_ident, Error>> {
                self.channel
                    .events()
                    .map(|item| item.and_then(#event_ident::decode))
                    .boxed()
            }

            /// Leaves the channel.
            pub async fn leave(self) -> Result<(), Error> {
                self.channel.leave().await
            }
        }

        #(#events_doc)*
        #[derive(Debug, Clone)]
        // Payload types differ in size; the enum is built once per event.
        #[allow(clippy::large_enum_variant)]
        pub enum #event_ident {
            #(#variants)*
            /// A push this version of the client does not know.
            Other { event: String, payload: serde_json::Value },
        }

        impl #event_ident {
            /// Decodes a push by its event name.
            pub fn decode(push: Push) -> Result<Self, Error> {
                Ok(match push.event.as_str() {
                    #(#arms)*
                    _ => Self::Other { event: push.event, payload: push.payload },
                })
            }

            /// The event's name on the wire.
            pub fn name(&self) -> &str {
                match self {
                    #(#names)*
                    Self::Other { event, .. } => event,
                }
            }
        }
    }
}
