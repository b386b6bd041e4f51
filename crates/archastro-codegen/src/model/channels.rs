//! The channels of a family (the dialect's root `x-channels`, Phoenix channels): joins (topic
//! patterns with their params and replies), client messages and server pushes, checked for
//! the shape the realtime generator relies on. Schemas stay borrowed JSON; naming and hoisting
//! them is the realtime generator's job.

use serde_json::Value;

use super::text;
use crate::{Error, Result};

/// One channel of `x-channels`.
#[derive(Debug)]
pub struct Channel<'a> {
    /// As declared (non-empty).
    pub name: &'a str,
    pub description: &'a str,
    /// `#/x-channels/N`.
    pub pointer: String,
    /// At least one.
    pub joins: Vec<Join<'a>>,
    pub messages: Vec<ChannelMessage<'a>>,
    pub pushes: Vec<Push<'a>>,
}

/// A way to join a channel: a topic pattern whose `{name}`s are properties of its params.
#[derive(Debug)]
pub struct Join<'a> {
    pub name: Option<&'a str>,
    pub pattern: &'a str,
    pub params: Option<&'a Value>,
    pub returns: Option<&'a Value>,
    pub description: &'a str,
    pub pointer: String,
}

/// A message the client pushes on a joined channel, with its reply.
#[derive(Debug)]
pub struct ChannelMessage<'a> {
    /// The wire event (never one of the protocol's `phx_` events).
    pub event: &'a str,
    pub params: Option<&'a Value>,
    pub returns: Option<&'a Value>,
    pub description: &'a str,
    pub pointer: String,
}

/// An event the server pushes on a joined channel.
#[derive(Debug)]
pub struct Push<'a> {
    pub event: &'a str,
    pub payload: Option<&'a Value>,
    pub description: &'a str,
    pub pointer: String,
}

fn invalid(pointer: &str, message: impl Into<String>) -> Error {
    Error::Generate {
        target: "realtime".to_owned(),
        message: format!("{pointer}: {}", message.into()),
    }
}

/// A non-empty string field of `v`, or an error naming it.
fn required<'a>(v: &'a Value, key: &str, at: &str, what: &str) -> Result<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(at, what))
}

/// The array `channel[key]` (missing: empty).
fn list<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a [Value]> {
    match v.get(key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(invalid(&format!("{at}/{key}"), "must be an array")),
    }
}

/// The channels of one family document (none without `x-channels`).
pub(super) fn read(doc: &Value) -> Result<Vec<Channel<'_>>> {
    let Some(channels) = doc.get("x-channels") else {
        return Ok(Vec::new());
    };
    let channels = channels
        .as_array()
        .ok_or_else(|| invalid("#/x-channels", "must be an array of channels"))?;
    channels
        .iter()
        .enumerate()
        .map(|(i, c)| channel(c, format!("#/x-channels/{i}")))
        .collect()
}

fn channel(channel: &Value, at: String) -> Result<Channel<'_>> {
    let name = required(channel, "name", &at, "a channel needs a `name`")?;
    let mut joins = Vec::new();
    for (i, join) in list(channel, "joins", &at)?.iter().enumerate() {
        let at = format!("{at}/joins/{i}");
        let pattern = required(join, "pattern", &at, "a join needs a topic `pattern`")?;
        check_pattern(pattern, join.get("params"), &at)?;
        joins.push(Join {
            name: join.get("name").and_then(Value::as_str),
            pattern,
            params: join.get("params"),
            returns: join.get("returns"),
            description: text(join, "description"),
            pointer: at,
        });
    }
    if joins.is_empty() {
        return Err(invalid(&at, "a channel needs at least one join"));
    }
    let mut messages = Vec::new();
    for (i, message) in list(channel, "messages", &at)?.iter().enumerate() {
        let at = format!("{at}/messages/{i}");
        let event = required(message, "event", &at, "a message needs an `event`")?;
        if event.starts_with("phx_") {
            return Err(invalid(
                &at,
                format!("`{event}` is reserved by the protocol"),
            ));
        }
        messages.push(ChannelMessage {
            event,
            params: message.get("params"),
            returns: message.get("returns"),
            description: text(message, "description"),
            pointer: at,
        });
    }
    let mut pushes = Vec::new();
    for (i, push) in list(channel, "pushes", &at)?.iter().enumerate() {
        let at = format!("{at}/pushes/{i}");
        pushes.push(Push {
            event: required(push, "event", &at, "a push needs an `event`")?,
            payload: push.get("payload"),
            description: text(push, "description"),
            pointer: at,
        });
    }
    Ok(Channel {
        name,
        description: text(channel, "description"),
        pointer: at,
        joins,
        messages,
        pushes,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn channels_are_read_in_order() {
        let doc = json!({"x-channels": [{
            "name": "thread",
            "joins": [{"name": "join_thread", "pattern": "thread:{thread_id}",
                "params": {"type": "object", "properties": {"thread_id": {"type": "string"}}}}],
            "messages": [{"event": "typing"}],
            "pushes": [{"event": "message_created", "payload": {"type": "object"}}]
        }]});
        let channels = read(&doc).unwrap();
        assert_eq!(channels.len(), 1);
        let c = &channels[0];
        assert_eq!(
            (
                c.name,
                c.joins[0].pattern,
                c.messages[0].event,
                c.pushes[0].event
            ),
            ("thread", "thread:{thread_id}", "typing", "message_created")
        );
        assert_eq!(c.pushes[0].pointer, "#/x-channels/0/pushes/0");
    }

    #[test]
    fn bad_channels_name_their_pointer() {
        for (doc, at) in [
            (json!({"x-channels": {}}), "#/x-channels:"),
            (json!({"x-channels": [{"joins": []}]}), "#/x-channels/0:"),
            (json!({"x-channels": [{"name": "a"}]}), "#/x-channels/0:"),
            (
                json!({"x-channels": [{"name": "a", "joins": [{"pattern": "a:{id}"}]}]}),
                "#/x-channels/0/joins/0/pattern:",
            ),
            (
                json!({"x-channels": [{"name": "a", "joins": [{"pattern": "a"}],
                    "messages": [{"event": "phx_join"}]}]}),
                "#/x-channels/0/messages/0:",
            ),
        ] {
            let e = read(&doc).unwrap_err().to_string();
            assert!(e.contains(at), "{e}");
        }
    }
}
