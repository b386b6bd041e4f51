//! The client's realtime surface, generated from the spec's dialect:
//!
//! - root `x-channels` (Phoenix channels) → `src/channels.rs`: one facade per channel with a
//!   constructor per join pattern (typed params → topic, never formatted by the user), a
//!   method per client message (typed params → typed reply), and `events()`, a stream of an
//!   enum of the channel's declared pushes with typed payloads;
//! - operation `x-sdk-streaming: {type: sse, events}` → `src/streaming.rs`: an enum of the
//!   operation's declared events and an `events()` method on its request builder.
//!
//! The transport is hand-written (`support::channels`, `support::sse`). Inline schemas of
//! params, replies and payloads become component schemas of the shared `types` module (named
//! after the channel and message, never clashing with the spec's own names); `$ref`s are used
//! as they are. Names from the spec reach the output only as sanitized identifiers or escaped
//! literals.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::names::{Case, Namespace, type_name};
use crate::normalize::naming::sanitize_snake;
use crate::normalize::{METHODS, Normalized};
use crate::{Error, Result};

/// What the realtime generators need from the normalized documents.
#[derive(Debug, Default)]
pub(crate) struct Realtime {
    /// Component schemas to add to the shared types (hoisted inline schemas).
    pub schemas: BTreeMap<String, Value>,
    channels: Vec<Channel>,
    streams: Vec<Streaming>,
}

#[derive(Debug)]
struct Channel {
    name: String,
    doc: String,
    joins: Vec<Join>,
    messages: Vec<Message>,
    pushes: Vec<Event>,
}

#[derive(Debug)]
struct Join {
    method: String,
    pattern: String,
    doc: String,
    params: Option<String>,
    reply: Option<String>,
}

#[derive(Debug)]
struct Message {
    method: String,
    event: String,
    doc: String,
    params: Option<String>,
    reply: Option<String>,
}

/// A declared push or SSE event: wire name, enum variant, payload type.
#[derive(Debug)]
struct Event {
    name: String,
    variant: String,
    doc: String,
    payload: Option<String>,
}

#[derive(Debug)]
struct Streaming {
    family: String,
    operation_id: String,
    doc: String,
    events: Vec<Event>,
    /// Events that report a failure (named `error`), with their payload types.
    errors: Vec<Event>,
}

/// Hands out component names for hoisted schemas: never one the spec uses, never twice.
struct Names {
    taken: Namespace,
}

impl Names {
    fn claim(&mut self, wanted: &str) -> String {
        let base = type_name(wanted);
        let base = if base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base
        } else {
            format!("T{base}")
        };
        self.taken.claim(&base)
    }
}

fn invalid(pointer: &str, message: impl Into<String>) -> Error {
    Error::Generate {
        target: "realtime".to_owned(),
        message: format!("{pointer}: {}", message.into()),
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A snake_case Rust identifier for a spec name (keywords get a trailing `_`).
fn snake_ident(raw: &str) -> String {
    let snake = sanitize_snake(raw);
    if syn::parse_str::<syn::Ident>(&snake).is_ok() && snake != "self" {
        snake
    } else {
        format!("{snake}_")
    }
}

/// Gives each name a distinct identifier: `preferred`, or `fallback()` (numbered if need be)
/// when `preferred` is taken.
fn distinct(
    taken: &mut Namespace,
    preferred: String,
    fallback: impl FnOnce() -> String,
) -> String {
    taken.claim_or(&preferred, fallback)
}

/// Names taken from the start.
fn taken(names: &[&str]) -> Namespace {
    Namespace::with_taken(Case::Exact, names)
}

/// The event name's last `:`-separated part (`api:chat:typing` → `typing`).
fn short(event: &str) -> &str {
    event.rsplit(':').next().unwrap_or(event)
}

impl Realtime {
    /// Reads `x-channels` and `x-sdk-streaming` from every family (a channel listed by several
    /// families is generated once). `existing` are the spec's component names.
    pub(crate) fn collect<'a>(
        normalized: &Normalized,
        existing: impl IntoIterator<Item = &'a String>,
    ) -> Result<Realtime> {
        let mut out = Realtime::default();
        let mut names = Names {
            taken: Namespace::with_taken(Case::Type, existing),
        };
        let mut seen_channels = BTreeSet::new();
        // The names `channels.rs` itself uses.
        let mut channel_idents = taken(&[
            "Channel",
            "Events",
            "Push",
            "Socket",
            "SocketOptions",
            "TokenSource",
            "Error",
        ]);
        for (family, doc) in &normalized.families {
            if let Some(channels) = doc.get("x-channels") {
                let channels = channels
                    .as_array()
                    .ok_or_else(|| invalid("#/x-channels", "must be an array of channels"))?;
                for (i, channel) in channels.iter().enumerate() {
                    let at = format!("#/x-channels/{i}");
                    let raw_name = channel
                        .get("name")
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty())
                        .ok_or_else(|| invalid(&at, "a channel needs a `name`"))?;
                    if !seen_channels.insert(raw_name.to_owned()) {
                        continue;
                    }
                    let ident = distinct(&mut channel_idents, names_type(raw_name), || {
                        format!("{}Channel", names_type(raw_name))
                    });
                    // Its events enum.
                    channel_idents.reserve(&format!("{ident}Event"));
                    let channel = out.channel(&mut names, channel, &at, ident)?;
                    out.channels.push(channel);
                }
            }
            for (path, item) in doc
                .get("paths")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                for method in METHODS {
                    let Some(op) = item.get(*method) else {
                        continue;
                    };
                    let Some(streaming) = op.get("x-sdk-streaming") else {
                        continue;
                    };
                    let at = format!(
                        "#/paths/{}/{method}/x-sdk-streaming",
                        crate::pointer::escape(path)
                    );
                    if streaming.get("type").and_then(Value::as_str) != Some("sse") {
                        continue; // other transports are not generated (none exist today)
                    }
                    let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                        continue;
                    };
                    let s = out.streaming(&mut names, family, id, op, streaming, &at)?;
                    out.streams.push(s);
                }
            }
        }
        Ok(out)
    }

    /// The Rust type (path) for a schema: `$ref`s as they are, anything else hoisted as
    /// component `wanted`. `None`: no schema (any JSON).
    fn schema_type(
        &mut self,
        names: &mut Names,
        schema: Option<&Value>,
        wanted: &str,
        at: &str,
    ) -> Result<Option<String>> {
        let Some(schema) = schema else {
            return Ok(None);
        };
        if !schema.is_object() {
            return Err(invalid(at, "must be a schema object"));
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let name = target
                .strip_prefix("#/components/schemas/")
                .filter(|n| !n.contains('/'))
                .ok_or_else(|| {
                    invalid(at, format!("`$ref` `{target}` is not a component schema"))
                })?;
            return Ok(Some(type_name(name)));
        }
        let name = names.claim(wanted);
        self.schemas.insert(name.clone(), schema.clone());
        Ok(Some(name))
    }

    fn channel(
        &mut self,
        names: &mut Names,
        channel: &Value,
        at: &str,
        ident: String,
    ) -> Result<Channel> {
        let list = |key: &str| -> Result<Vec<Value>> {
            match channel.get(key) {
                None => Ok(Vec::new()),
                Some(Value::Array(a)) => Ok(a.clone()),
                Some(_) => Err(invalid(&format!("{at}/{key}"), "must be an array")),
            }
        };
        let mut methods = taken(&["topic", "events", "leave"]);
        let mut joins = Vec::new();
        for (i, join) in list("joins")?.iter().enumerate() {
            let at = format!("{at}/joins/{i}");
            let pattern = join
                .get("pattern")
                .and_then(Value::as_str)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| invalid(&at, "a join needs a topic `pattern`"))?;
            check_pattern(pattern, join.get("params"), &at)?;
            let raw = join
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("join_{i}"));
            let method = distinct(&mut methods, snake_ident(&raw), || {
                snake_ident(&format!("join_{raw}"))
            });
            let base = format!("{ident}_{method}");
            joins.push(Join {
                params: self.schema_type(
                    names,
                    join.get("params"),
                    &format!("{base}_params"),
                    &format!("{at}/params"),
                )?,
                reply: self.schema_type(
                    names,
                    join.get("returns"),
                    &format!("{base}_reply"),
                    &format!("{at}/returns"),
                )?,
                method,
                pattern: pattern.to_owned(),
                doc: text(join, "description"),
            });
        }
        if joins.is_empty() {
            return Err(invalid(at, "a channel needs at least one join"));
        }
        let mut messages = Vec::new();
        for (i, message) in list("messages")?.iter().enumerate() {
            let at = format!("{at}/messages/{i}");
            let event = message
                .get("event")
                .and_then(Value::as_str)
                .filter(|e| !e.is_empty())
                .ok_or_else(|| invalid(&at, "a message needs an `event`"))?;
            if event.starts_with("phx_") {
                return Err(invalid(
                    &at,
                    format!("`{event}` is reserved by the protocol"),
                ));
            }
            let method = distinct(&mut methods, snake_ident(short(event)), || {
                snake_ident(event)
            });
            let base = format!("{ident}_{method}");
            messages.push(Message {
                params: self.schema_type(
                    names,
                    message.get("params"),
                    &format!("{base}_params"),
                    &format!("{at}/params"),
                )?,
                reply: self.schema_type(
                    names,
                    message.get("returns"),
                    &format!("{base}_reply"),
                    &format!("{at}/returns"),
                )?,
                method,
                event: event.to_owned(),
                doc: text(message, "description"),
            });
        }
        let mut variants = taken(&["Other"]);
        let mut pushes = Vec::new();
        for (i, push) in list("pushes")?.iter().enumerate() {
            let at = format!("{at}/pushes/{i}");
            let event = push
                .get("event")
                .and_then(Value::as_str)
                .filter(|e| !e.is_empty())
                .ok_or_else(|| invalid(&at, "a push needs an `event`"))?;
            let variant = distinct(&mut variants, names_type(short(event)), || {
                format!("{}Event", names_type(event))
            });
            pushes.push(Event {
                payload: self.schema_type(
                    names,
                    push.get("payload"),
                    &format!("{ident}_{variant}_payload"),
                    &format!("{at}/payload"),
                )?,
                name: event.to_owned(),
                variant,
                doc: text(push, "description"),
            });
        }
        Ok(Channel {
            name: ident,
            doc: text(channel, "description"),
            joins,
            messages,
            pushes,
        })
    }

    fn streaming(
        &mut self,
        names: &mut Names,
        family: &str,
        id: &str,
        op: &Value,
        streaming: &Value,
        at: &str,
    ) -> Result<Streaming> {
        let events = match streaming.get("events") {
            Some(Value::Object(m)) => m.clone(),
            None => Map::new(),
            Some(_) => {
                return Err(invalid(
                    &format!("{at}/events"),
                    "must map event names to schemas",
                ));
            }
        };
        let base = type_name(id);
        let mut variants = taken(&["Other"]);
        let mut out = Streaming {
            family: family.to_owned(),
            operation_id: id.to_owned(),
            doc: text(op, "summary"),
            events: Vec::new(),
            errors: Vec::new(),
        };
        for (name, schema) in &events {
            if name.is_empty() {
                return Err(invalid(&format!("{at}/events"), "an event name is empty"));
            }
            let variant = distinct(&mut variants, names_type(name), || {
                format!("{}Event", names_type(name))
            });
            let event = Event {
                payload: self.schema_type(
                    names,
                    Some(schema),
                    &format!("{base}_{variant}_event"),
                    &format!("{at}/events/{}", crate::pointer::escape(name)),
                )?,
                name: name.clone(),
                variant,
                doc: text(schema, "description"),
            };
            if name == "error" {
                out.errors.push(event);
            } else {
                out.events.push(event);
            }
        }
        Ok(out)
    }

    /// Whether there is anything to generate.
    pub(crate) fn has_channels(&self) -> bool {
        !self.channels.is_empty()
    }

    pub(crate) fn has_streams(&self) -> bool {
        !self.streams.is_empty()
    }

    /// `src/channels.rs`: the facades.
    pub(crate) fn channels_rs(&self) -> TokenStream {
        let channels = self.channels.iter().map(channel_tokens);
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

    /// `src/streaming.rs`: event enums and `events()` on the request builders.
    pub(crate) fn streaming_rs(&self) -> TokenStream {
        let streams = self.streams.iter().map(stream_tokens);
        quote! {
            #[allow(unused_imports)]
            use crate::types;
            use crate::Error;

            #(#streams)*
        }
    }
}

/// An UpperCamelCase type identifier for a spec name.
fn names_type(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let camel = cleaned.to_upper_camel_case();
    if camel.is_empty() {
        "Unnamed".to_owned()
    } else if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{camel}")
    } else if camel == "Self" {
        "SelfEvent".to_owned()
    } else {
        camel
    }
}

/// Every `{name}` of `pattern` must be a property of the join's params.
fn check_pattern(pattern: &str, params: Option<&Value>, at: &str) -> Result<()> {
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(invalid(
                &format!("{at}/pattern"),
                format!("`{pattern}`: unclosed `{{`"),
            ));
        };
        let name = &rest[start + 1..start + len];
        let declared = params
            .and_then(|p| p.get("properties"))
            .and_then(|p| p.get(name))
            .is_some();
        let referenced = params.and_then(|p| p.get("$ref")).is_some();
        if !declared && !referenced {
            return Err(invalid(
                &format!("{at}/pattern"),
                format!("`{pattern}`: `{name}` is not a property of the join's params"),
            ));
        }
        rest = &rest[start + len + 1..];
    }
    Ok(())
}

fn type_tokens(ty: &Option<String>) -> TokenStream {
    match ty {
        Some(name) => {
            let ident = format_ident!("{}", name);
            quote! { types::#ident }
        }
        None => quote! { serde_json::Value },
    }
}

fn doc_or(doc: &str, fallback: String) -> String {
    if doc.trim().is_empty() {
        fallback
    } else {
        doc.to_owned()
    }
}

/// One `///` line per line of `text` (a spec text is never a block comment), kept prose: the
/// names and patterns it quotes come from the spec too, so it is sanitized as a whole.
fn doc_lines(text: &str) -> Vec<TokenStream> {
    crate::normalize::sanitize_doc_text(text)
        .lines()
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
fn event_variants(events: &[Event]) -> Vec<TokenStream> {
    events
        .iter()
        .map(|event| {
            let variant = format_ident!("{}", event.variant);
            let payload = type_tokens(&event.payload);
            let doc = doc_lines(&doc_or(&event.doc, format!("`{}`", event.name)));
            quote! {
                #(#doc)*
                #variant(#payload),
            }
        })
        .collect()
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
            "Joins `{pattern}` (the topic is built from `params`).{}",
            if join.doc.is_empty() { String::new() } else { format!("\n\n{}", join.doc) }
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
            format!("Sends `{event}` and waits for the reply."),
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
            "The typed payload of a `{name}` event that ended the stream ([`Error::StreamEvent`])."
        ));
        let method = format_ident!("{}_payload", snake_ident(&event.name));
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
        "The events of [`crate::{module}::builder::{builder}::events`] (`{id}`, Server-Sent Events).{}",
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
            format!("{}\n\n", stream.doc)
        }
    ));
    quote! {
        #(#enum_doc)*
        #[derive(Debug, Clone)]
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
                        let response = crate::support::sse::scoped(last_event_id, request.send()).await?;
                        Ok(response.into_inner().into_inner())
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_identifiers() {
        assert_eq!(snake_ident("api:chat:typing"), "api_chat_typing");
        assert_eq!(snake_ident("type"), "type_");
        assert_eq!(names_type("message_created"), "MessageCreated");
        assert_eq!(names_type("1x"), "T1x");
        assert_eq!(names_type("Self"), "SelfEvent");
        assert_eq!(short("api:chat:typing"), "typing");
    }

    #[test]
    fn patterns_need_declared_params() {
        let params = serde_json::json!({"properties": {"thread_id": {"type": "string"}}});
        assert!(check_pattern("thread:{thread_id}", Some(&params), "#").is_ok());
        assert!(check_pattern("thread:{other}", Some(&params), "#").is_err());
        assert!(check_pattern("thread:{x", Some(&params), "#").is_err());
    }
}
