//! The client's realtime surface, generated from the spec's dialect:
//!
//! - root `x-channels` (Phoenix channels) → `src/channels.rs`: one facade per channel with a
//!   constructor per join pattern (typed params → topic, never formatted by the user), a
//!   method per client message (typed params → typed reply), and `events()`, a stream of an
//!   enum of the channel's declared pushes with typed payloads;
//! - operation `x-sdk-streaming: {type: sse, events}` → `src/streaming.rs`: an enum of the
//!   operation's declared events and an `events()` method on its request builder.
//!
//! The channels come from the model ([`crate::model::Channel`], which checks their shape and
//! topic patterns); this module names them ([`surface`]) and [`channels`] and [`streaming`]
//! write the files. The transport is hand-written (`support::channels`, `support::sse`).
//! Inline schemas of params, replies and payloads become component schemas of the shared
//! `types` module (named after the channel and message, never clashing with the spec's own
//! names); `$ref`s are used as they are. The normalizer has already turned their nested
//! schemas, and any of them equal to a component, into `$ref`s. Names from the spec reach the output only as
//! sanitized identifiers or escaped literals.

mod channels;
mod streaming;
mod surface;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use serde_json::{Map, Value};

use crate::model::{self, Api, Family, Operation};
use crate::names::{Case, Namespace, ascii_snake_ident, ascii_type_ident, type_name};
use crate::{Error, Result};
use surface::{Channel, Event, Join, Message, Streaming};

/// What the realtime generators need from the model.
#[derive(Debug, Default)]
pub(super) struct Realtime {
    /// Component schemas to add to the shared types (hoisted inline schemas).
    pub(super) schemas: BTreeMap<String, Value>,
    channels: Vec<Channel>,
    streams: Vec<Streaming>,
}

/// A join of a channel's facade: the facade's type (in `channels`), its constructor, the
/// topic pattern and the reply's type (in `types`; `None`: any JSON).
#[derive(Debug, Clone, Copy)]
pub(super) struct FacadeJoin<'r> {
    pub(super) facade: &'r str,
    pub(super) method: &'r str,
    pub(super) pattern: &'r str,
    pub(super) reply: Option<&'r str>,
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

/// Names taken from the start, exactly as written.
fn taken(names: &[&str]) -> Namespace {
    Namespace::with_taken(Case::Exact, names)
}

/// The event name's last `:`-separated part (`api:chat:typing` → `typing`).
fn short(event: &str) -> &str {
    event.rsplit(':').next().unwrap_or(event)
}

impl Realtime {
    /// Reads the channels (`x-channels`, checked by the model) and the `x-sdk-streaming`
    /// operations of every family (a channel listed by several families is generated once).
    /// `existing` are the spec's component names.
    pub(super) fn collect<'a>(
        api: &Api<'_>,
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
        for family in &api.families {
            for channel in &family.channels {
                if !seen_channels.insert(channel.name) {
                    continue;
                }
                let ident = channel_idents.claim_or(&ascii_type_ident(channel.name), || {
                    format!("{}Channel", ascii_type_ident(channel.name))
                });
                // Its events enum.
                channel_idents.reserve(&format!("{ident}Event"));
                let channel = out.channel(&mut names, channel, ident)?;
                out.channels.push(channel);
            }
            for op in &family.operations {
                let Some(streaming) = op.streaming else {
                    continue;
                };
                if streaming.get("type").and_then(Value::as_str) != Some("sse") {
                    continue; // other transports are not generated (none exist today)
                }
                let s = out.streaming(&mut names, family, op, streaming)?;
                out.streams.push(s);
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

    /// A channel's facade: its joins and messages as methods (distinct from the facade's own
    /// `topic`, `events` and `leave`), its pushes as variants.
    fn channel(
        &mut self,
        names: &mut Names,
        channel: &model::Channel<'_>,
        ident: String,
    ) -> Result<Channel> {
        let mut methods = taken(&["topic", "events", "leave"]);
        let mut joins = Vec::new();
        for (i, join) in channel.joins.iter().enumerate() {
            let raw = join
                .name
                .map(str::to_owned)
                .unwrap_or_else(|| format!("join_{i}"));
            let method = methods.claim_or(&ascii_snake_ident(&raw), || {
                ascii_snake_ident(&format!("join_{raw}"))
            });
            let base = format!("{ident}_{method}");
            let at = &join.pointer;
            joins.push(Join {
                params: self.schema_type(
                    names,
                    join.params,
                    &format!("{base}_params"),
                    &format!("{at}/params"),
                )?,
                reply: self.schema_type(
                    names,
                    join.returns,
                    &format!("{base}_reply"),
                    &format!("{at}/returns"),
                )?,
                method,
                pattern: join.pattern.to_owned(),
                doc: join.description.to_owned(),
            });
        }
        let mut messages = Vec::new();
        for message in &channel.messages {
            let event = message.event;
            let method = methods.claim_or(&ascii_snake_ident(short(event)), || {
                ascii_snake_ident(event)
            });
            let base = format!("{ident}_{method}");
            let at = &message.pointer;
            messages.push(Message {
                params: self.schema_type(
                    names,
                    message.params,
                    &format!("{base}_params"),
                    &format!("{at}/params"),
                )?,
                reply: self.schema_type(
                    names,
                    message.returns,
                    &format!("{base}_reply"),
                    &format!("{at}/returns"),
                )?,
                method,
                event: event.to_owned(),
                doc: message.description.to_owned(),
            });
        }
        let mut variants = taken(&["Other"]);
        let mut pushes = Vec::new();
        for push in &channel.pushes {
            let event = push.event;
            let variant = variants.claim_or(&ascii_type_ident(short(event)), || {
                format!("{}Event", ascii_type_ident(event))
            });
            pushes.push(Event {
                payload: self.schema_type(
                    names,
                    push.payload,
                    &format!("{ident}_{variant}_payload"),
                    &format!("{}/payload", push.pointer),
                )?,
                name: event.to_owned(),
                variant,
                doc: push.description.to_owned(),
            });
        }
        Ok(Channel {
            name: ident,
            source: channel.name.to_owned(),
            doc: channel.description.to_owned(),
            joins,
            messages,
            pushes,
        })
    }

    /// A streaming operation's events (`x-sdk-streaming.events`, event name → schema); those
    /// named `error` end the stream instead.
    fn streaming(
        &mut self,
        names: &mut Names,
        family: &Family<'_>,
        op: &Operation<'_>,
        streaming: &Value,
    ) -> Result<Streaming> {
        let at = format!("{}/x-sdk-streaming", op.pointer);
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
        let base = type_name(op.id);
        let mut variants = taken(&["Other"]);
        let mut out = Streaming {
            family: family.name.to_owned(),
            operation_id: op.id.to_owned(),
            doc: op.summary.to_owned(),
            events: Vec::new(),
            errors: Vec::new(),
        };
        for (name, schema) in &events {
            if name.is_empty() {
                return Err(invalid(&format!("{at}/events"), "an event name is empty"));
            }
            let variant = variants.claim_or(&ascii_type_ident(name), || {
                format!("{}Event", ascii_type_ident(name))
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
                doc: schema
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
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
    pub(super) fn has_channels(&self) -> bool {
        !self.channels.is_empty()
    }

    pub(super) fn has_streams(&self) -> bool {
        !self.streams.is_empty()
    }

    /// The facade of join `join` of the channel the spec names `channel` (generated once for
    /// every family that lists it), as the resources' joins call it.
    pub(super) fn facade_join(&self, channel: &str, join: usize) -> Option<FacadeJoin<'_>> {
        let facade = self.channels.iter().find(|c| c.source == channel)?;
        let join = facade.joins.get(join)?;
        Some(FacadeJoin {
            facade: &facade.name,
            method: &join.method,
            pattern: &join.pattern,
            reply: join.reply.as_deref(),
        })
    }

    /// `src/channels.rs`: the facades.
    pub(super) fn channels_rs(&self) -> TokenStream {
        channels::channels_rs(&self.channels)
    }

    /// `src/streaming.rs`: event enums and `events()` on the request builders.
    pub(super) fn streaming_rs(&self) -> TokenStream {
        streaming::streaming_rs(&self.streams)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_names_are_shortened() {
        assert_eq!(short("api:chat:typing"), "typing");
        assert_eq!(short("typing"), "typing");
    }

    #[test]
    fn names_of_methods_and_hoisted_schemas_stay_distinct() {
        let doc = json!({
            "paths": {},
            "components": {"schemas": {"ThreadJoinThreadParams": {"type": "object"}}},
            "x-channels": [{
                "name": "thread",
                "joins": [{"name": "join_thread", "pattern": "thread:{thread_id}",
                    "params": {"type": "object", "properties": {"thread_id": {"type": "string"}}}}],
                "messages": [{"event": "api:topic"}, {"event": "chat:topic"}, {"event": "api_topic"}],
                "pushes": [{"event": "message_created", "payload": {"type": "object"}}]
            }]
        });
        let api = Api {
            families: vec![Family::new("runtime", &doc).unwrap()],
            ascii: true,
        };
        let existing = ["ThreadJoinThreadParams".to_owned()];
        let realtime = Realtime::collect(&api, &existing).unwrap();
        let channel = &realtime.channels[0];
        assert_eq!(channel.name, "Thread");
        assert_eq!(channel.joins[0].method, "join_thread");
        // `topic` is the facade's own: the event as a whole, then numbered.
        let methods: Vec<_> = channel.messages.iter().map(|m| m.method.as_str()).collect();
        assert_eq!(methods, ["api_topic", "chat_topic", "api_topic2"]);
        assert_eq!(
            realtime.schemas.keys().collect::<Vec<_>>(),
            ["ThreadJoinThreadParams2", "ThreadMessageCreatedPayload"]
        );
    }

    #[test]
    fn a_schema_that_is_no_object_names_its_pointer() {
        let doc = json!({
            "paths": {},
            "x-channels": [{"name": "a", "joins": [{"pattern": "a", "returns": true}]}]
        });
        let api = Api {
            families: vec![Family::new("runtime", &doc).unwrap()],
            ascii: true,
        };
        let e = Realtime::collect(&api, &[]).unwrap_err().to_string();
        assert!(e.contains("#/x-channels/0/joins/0/returns"), "{e}");
    }
}
