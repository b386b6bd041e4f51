//! The checks of the generated sweeps (`surface.rs`), generic over a channel facade or a
//! streaming operation: the sweep of a facade joins every topic pattern, sends every message
//! and receives every push it declares; the sweep of a stream receives every event it
//! declares, then an error status, a cut connection and each `error` event.

use std::fmt::Debug;
use std::time::Duration;

use archastro_client::{ArchAstro, Error};
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::Check;
use crate::harness::Harness;

/// Decodes `json`, an example built from the spec, into the params type of the facade method
/// it is passed to (`what`).
pub fn params<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| format!("{what}: the example params do not decode: {e}"))
}

/// `pattern` with each `{name}` replaced by the param `name`, as the client builds a topic.
fn topic_of(pattern: &str, params: &Value) -> Result<String, String> {
    let mut topic = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(|| format!("pattern {pattern}"))? + open;
        let name = &rest[open + 1..close];
        let value = match &params[name] {
            Value::String(s) => s.clone(),
            Value::Null => return Err(format!("no param `{name}` for {pattern} in {params}")),
            other => other.to_string(),
        };
        topic.push_str(&rest[..open]);
        topic.push_str(&value);
        rest = &rest[close + 1..];
    }
    topic.push_str(rest);
    Ok(topic)
}

/// The last frame `event` the harness saw on `topic` carried exactly `sent`.
pub async fn sent_as_is<P: Serialize>(h: &Harness, topic: &str, event: &str, sent: &P) -> Check {
    let sent = serde_json::to_value(sent).map_err(|e| e.to_string())?;
    let seen = h.wait_observed(topic, event, 1).await?;
    let last = seen.last().map(|o| &o["params"]);
    ensure!(last == Some(&sent), "`{event}` on `{topic}`: sent {sent}, the harness saw {last:?}");
    Ok(())
}

/// The join of `pattern` went to the topic its params make, and reached the harness as sent.
pub async fn joined<P: Serialize>(h: &Harness, topic: &str, pattern: &str, sent: &P) -> Check {
    let params = serde_json::to_value(sent).map_err(|e| e.to_string())?;
    let expected = topic_of(pattern, &params)?;
    ensure!(topic == expected, "joined `{topic}`, the params make `{expected}`");
    sent_as_is(h, topic, "phx_join", sent).await
}

/// The next item of a channel's or a stream's events, within 10 s.
pub async fn next_event<E>(events: &mut BoxStream<'_, Result<E, Error>>) -> Result<E, String> {
    match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
        Err(_) => Err("no event within 10 s".into()),
        Ok(None) => Err("the events stream ended".into()),
        Ok(Some(Err(e))) => Err(format!("event error: {e}")),
        Ok(Some(Ok(event))) => Ok(event),
    }
}

/// Each push of `names`, asked of the harness on `topic` in turn (a contract-valid payload it
/// makes from the spec), arrives as its own typed variant.
pub async fn pushes<E: Debug>(
    h: &Harness,
    topic: &str,
    events: &mut BoxStream<'static, Result<E, Error>>,
    names: &[&str],
    name: fn(&E) -> &str,
    is_other: fn(&E) -> bool,
) -> Check {
    for &event in names {
        h.auto_push(topic, event).await?;
        let got = next_event(events).await.map_err(|e| format!("push `{event}`: {e}"))?;
        ensure!(name(&got) == event, "pushed `{event}`, received `{}`", name(&got));
        ensure!(!is_other(&got), "`{event}` arrived untyped: {got:?}");
    }
    Ok(())
}

/// Whether an error's typed payload accessor (`XEvent::error_payload`) reads it.
pub type ReadsPayload = fn(&Error) -> bool;

/// A streaming operation as its sweep sees it.
pub struct Stream<'s, E> {
    /// `METHOD /path`, as the harness keys its routes.
    pub route: &'s str,
    /// The declared events that are items, in declaration order.
    pub events: &'s [&'s str],
    /// The declared events that end the stream, each with whether its typed payload accessor
    /// reads an error.
    pub errors: &'s [(&'s str, ReadsPayload)],
    /// Sends the request (example arguments) and streams its events.
    pub open: for<'a> fn(&'a ArchAstro) -> BoxStream<'a, Result<E, Error>>,
    pub is_other: fn(&E) -> bool,
}

impl<E: Debug> Stream<'_, E> {
    /// Registers `actions` for the route (after a reset) and collects what the client makes of
    /// the response, within 10 s.
    async fn collect(&self, h: &Harness, actions: Value) -> Result<Vec<Result<E, Error>>, String> {
        h.post("/reset", json!({})).await?;
        h.post("/stream-scenarios", json!({"route": self.route, "actions": actions})).await?;
        let api = h.client()?;
        let items = tokio::time::timeout(Duration::from_secs(10), (self.open)(&api).collect::<Vec<_>>())
            .await
            .map_err(|_| format!("{}: the stream did not end within 10 s", self.route))?;
        let violations = h.handler_errors().await?;
        ensure!(violations.is_empty(), "{}: the harness saw contract violations: {violations:?}", self.route);
        Ok(items)
    }

    fn emit(event: &str) -> Value {
        json!({"type": "autoEmit", "event": event})
    }

    /// Every declared event arrives typed, in order, and the request reached the harness
    /// (which checks it against the spec and answers 400 otherwise).
    async fn every_event(&self, h: &Harness) -> Check {
        let items = self.collect(h, self.events.iter().map(|e| Self::emit(e)).collect()).await?;
        ensure!(items.len() == self.events.len(), "{}: {} items for {:?}: {items:?}", self.route, items.len(), self.events);
        for (item, name) in items.iter().zip(self.events) {
            match item {
                Ok(event) => ensure!(!(self.is_other)(event), "`{name}` arrived untyped: {event:?}"),
                Err(e) => return Err(format!("`{name}`: {e}")),
            }
        }
        h.wait_observed(self.route, "request", 1).await.map(drop)
    }

    /// An error status is the API's error, before any event. (Its envelope's code and message
    /// are not checked: the platform specs declare their error statuses without a body schema,
    /// and the generated code keeps no body for those.)
    async fn error_status(&self, h: &Harness) -> Check {
        let body = json!({"error": {"code": "plan_limit", "message": "the plan has no llm_calls"}});
        let items = self.collect(h, json!([{"type": "status", "code": 402, "body": body}])).await?;
        match items.as_slice() {
            [Err(e @ Error::Api { status, .. })] => ensure!(status.as_u16() == 402, "{}: {e:?}", self.route),
            other => return Err(format!("{}: expected one 402: {other:?}", self.route)),
        }
        Ok(())
    }

    /// A connection cut after the first event (no event ids to resume from) ends the stream
    /// with a typed error after what arrived. The harness drops it in the tick that wrote the
    /// event, so the event may or may not have been flushed.
    async fn cut(&self, h: &Harness) -> Check {
        let mut actions: Vec<Value> = self.events.iter().take(1).map(|e| Self::emit(e)).collect();
        actions.push(json!({"type": "disconnect"}));
        let items = self.collect(h, Value::Array(actions)).await?;
        let (last, before) = items.split_last().ok_or("no item at all")?;
        ensure!(
            matches!(last, Err(Error::StreamInterrupted(_)) | Err(Error::Transport(_))),
            "{}: the stream should end with the cut: {items:?}",
            self.route
        );
        ensure!(before.len() <= 1 && before.iter().all(|i| i.as_ref().is_ok_and(|e| !(self.is_other)(e))), "{items:?}");
        Ok(())
    }

    /// Each declared `error` event, after a first event, ends the stream with its typed payload.
    async fn error_events(&self, h: &Harness) -> Check {
        for &(name, reads) in self.errors {
            let mut actions: Vec<Value> = self.events.iter().take(1).map(|e| Self::emit(e)).collect();
            actions.push(Self::emit(name));
            let items = self.collect(h, Value::Array(actions)).await?;
            match items.split_last() {
                Some((Err(e @ Error::StreamEvent { event, .. }), before)) if event == name => {
                    ensure!(reads(e), "`{name}`: its payload does not decode: {e:?}");
                    ensure!(before.len() == self.events.len().min(1), "{items:?}");
                }
                _ => return Err(format!("`{name}` should end the stream: {items:?}")),
            }
        }
        Ok(())
    }
}

/// Every check of a stream, in turn.
pub async fn stream<E: Debug>(h: &Harness, stream: Stream<'_, E>) -> Check {
    stream.every_event(h).await?;
    stream.error_status(h).await?;
    stream.cut(h).await?;
    stream.error_events(h).await
}
