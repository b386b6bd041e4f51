//! Scenarios of `tests/realtime_contract.rs` against `@archastro/channel-harness`, run by the
//! client generated from the 2026-06-30 platform spec. The test regenerates that client, builds
//! this file against it (it is not a workspace member: its client exists only after regen),
//! starts the harness, and runs `platform_scenarios SCENARIO WS_URL CONTROL_URL`; exit status 0
//! means every check passed, otherwise stderr says which failed.

use std::time::Duration;

use archastro_client::channels::{
    ApiChatChannel, ApiChatChannelEvent, Socket, SocketOptions,
};
use archastro_client::runtime::ClientAiExt as _;
use archastro_client::streaming::StreamCompletionEvent;
use archastro_client::{ArchAstro, Error, types};
use futures::StreamExt;
use serde_json::{Value, json};

type Check = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

const TEAM: &str = "tem_harness";
const THREAD: &str = "thr_harness";
const TOPIC: &str = "api:chat:team:tem_harness:thread:thr_harness";
const STREAM_ROUTE: &str = "POST /api/v1/ai/chat/completions/stream";

struct Harness {
    ws_url: String,
    control: String,
    http: reqwest::Client,
}

impl Harness {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("{}{path}", self.control))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("control {path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        ensure!(status.is_success(), "control {path}: {status}: {text}");
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn observations(&self, topic: &str, event: &str) -> Result<Vec<Value>, String> {
        let url = format!("{}/observations", self.control);
        let response = self
            .http
            .get(url)
            .query(&[("topic", topic), ("event", event)])
            .send()
            .await
            .map_err(|e| format!("observations: {e}"))?;
        let value: Value = response.json().await.map_err(|e| format!("observations: {e}"))?;
        Ok(value.as_array().cloned().unwrap_or_default())
    }

    /// Polls until `count` frames `event` on `topic` were observed.
    async fn wait_observed(&self, topic: &str, event: &str, count: usize) -> Result<Vec<Value>, String> {
        for _ in 0..100 {
            let seen = self.observations(topic, event).await?;
            if seen.len() >= count {
                return Ok(seen);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the harness never saw {count} `{event}` on `{topic}`"))
    }

    fn client(&self) -> Result<ArchAstro, String> {
        ArchAstro::builder()
            .base_url(self.control.clone())
            .bearer("harness-access-token")
            .publishable_key("pk_test_harness")
            .build()
            .map_err(|e| e.to_string())
    }

    async fn socket(&self, reply_timeout: Duration) -> Result<Socket, String> {
        let options = SocketOptions {
            url: Some(self.ws_url.clone()),
            reply_timeout,
            heartbeat_interval: Duration::from_secs(1),
            ..SocketOptions::default()
        };
        self.client()?
            .connect_socket(options)
            .await
            .map_err(|e| format!("connect: {e}"))
    }
}

fn join_params() -> types::ApiChatChannelJoinTeamThreadParams {
    types::ApiChatChannelJoinTeamThreadParams {
        team_id: TEAM.to_owned(),
        thread_id: THREAD.to_owned(),
        limit: Some(20),
        include_metadata: Some(true),
        after_cursor: None,
        before_cursor: None,
    }
}

async fn next_event(
    events: &mut futures::stream::BoxStream<'static, Result<ApiChatChannelEvent, Error>>,
) -> Result<ApiChatChannelEvent, String> {
    match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
        Err(_) => Err("no event within 10 s".into()),
        Ok(None) => Err("the events stream ended".into()),
        Ok(Some(Err(e))) => Err(format!("event error: {e}")),
        Ok(Some(Ok(event))) => Ok(event),
    }
}

/// Join with typed params: the topic is built from them, the harness validated them, and the
/// reply is typed.
async fn join(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({"topic": TOPIC, "onJoin": [{"type": "reply", "payload": {"thread_id": THREAD, "unread": 3}}]}),
    )
    .await?;
    let socket = h.socket(Duration::from_secs(5)).await?;
    let (channel, reply) = ApiChatChannel::join_team_thread(&socket, &join_params())
        .await
        .map_err(|e| format!("join: {e}"))?;
    ensure!(channel.topic() == TOPIC, "topic {}", channel.topic());
    ensure!(reply.get("unread") == Some(&json!(3)), "reply {reply:?}");
    let joins = h.wait_observed(TOPIC, "phx_join", 1).await?;
    let params = &joins[0]["params"];
    ensure!(
        params["team_id"] == TEAM && params["thread_id"] == THREAD && params["limit"] == 20,
        "join params on the wire: {params}"
    );
    ensure!(params.get("after_cursor").is_none(), "unset params are omitted: {params}");
    channel.leave().await.map_err(|e| format!("leave: {e}"))?;
    socket.close().await;
    Ok(())
}

/// A message gets its typed reply (a contract-valid fixture); a refused message is a typed
/// error with the server's reason.
async fn message(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({
            "topic": TOPIC,
            "onMessage": {
                "api:chat:mark_thread_read": [{"type": "reply", "payload": {"success": true}}],
                "api:chat:post_message": [{"type": "autoReply"}],
                "api:chat:delete_message": [{"type": "replyError", "payload": {"reason": "forbidden"}}],
            },
        }),
    )
    .await?;
    let socket = h.socket(Duration::from_secs(5)).await?;
    let (channel, _) = ApiChatChannel::join_team_thread(&socket, &join_params())
        .await
        .map_err(|e| format!("join: {e}"))?;
    let read = channel
        .mark_thread_read(&types::ApiChatChannelMarkThreadReadParams { message_id: "msg_1".into() })
        .await
        .map_err(|e| format!("mark_thread_read: {e}"))?;
    ensure!(read.success, "mark_thread_read reply {read:?}");
    let posted = channel
        .post_message(&types::ApiChatChannelPostMessageParams {
            content: "hello from rust".into(),
            idempotency_key: Some("idem-1".into()),
            reply_to: None,
            uploads: Vec::new(),
        })
        .await
        .map_err(|e| format!("post_message: {e}"))?;
    let _typed: &types::ListMessagesResponseMessage = &posted.message;
    let seen = h.wait_observed(TOPIC, "api:chat:post_message", 1).await?;
    ensure!(seen[0]["params"]["content"] == "hello from rust", "post_message on the wire: {}", seen[0]);
    match channel
        .delete_message(&types::ApiChatChannelDeleteMessageParams { message_id: "msg_1".into() })
        .await
    {
        Err(Error::ChannelReply { reason, event, .. }) => {
            ensure!(reason == "forbidden" && event == "api:chat:delete_message", "{reason} {event}")
        }
        other => return Err(format!("delete_message should be refused: {other:?}")),
    }
    socket.close().await;
    Ok(())
}

/// Scripted pushes arrive typed and in order.
async fn pushes(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({
            "topic": TOPIC,
            "onJoin": [
                {"type": "autoReply"},
                {"type": "autoPush", "event": "message_added"},
                {"type": "push", "event": "thread_event", "payload": {"thread_id": THREAD, "type": "unread_count", "payload": {"count": 1}}},
                {"type": "autoPush", "event": "typing"},
                {"type": "push", "event": "thread_event", "payload": {"thread_id": THREAD, "type": "unread_count", "payload": {"count": 2}}},
            ],
        }),
    )
    .await?;
    let socket = h.socket(Duration::from_secs(5)).await?;
    let (channel, _) = ApiChatChannel::join_team_thread(&socket, &join_params())
        .await
        .map_err(|e| format!("join: {e}"))?;
    let mut events = channel.events();
    let mut names = Vec::new();
    let mut counts = Vec::new();
    for _ in 0..4 {
        let event = next_event(&mut events).await?;
        names.push(event.name().to_owned());
        match event {
            ApiChatChannelEvent::ThreadEvent(e) => {
                ensure!(e.thread_id.as_deref() == Some(THREAD), "{e:?}");
                counts.push(e.payload.get("count").cloned());
            }
            ApiChatChannelEvent::MessageAdded(_) | ApiChatChannelEvent::Typing(_) => {}
            other => return Err(format!("unexpected event {other:?}")),
        }
    }
    ensure!(
        names == ["message_added", "thread_event", "typing", "thread_event"],
        "order: {names:?}"
    );
    ensure!(counts == [Some(json!(1)), Some(json!(2))], "payloads: {counts:?}");
    socket.close().await;
    Ok(())
}

/// A refused join surfaces the server's reason.
async fn refused(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({"topic": TOPIC, "onJoin": [{"type": "replyError", "payload": {"reason": "unauthorized"}}]}),
    )
    .await?;
    let socket = h.socket(Duration::from_secs(5)).await?;
    match ApiChatChannel::join_team_thread(&socket, &join_params()).await {
        Err(Error::JoinRefused { topic, reason, .. }) => {
            ensure!(topic == TOPIC && reason == "unauthorized", "{topic} {reason}");
        }
        other => return Err(format!("the join should be refused: {:?}", other.map(|(_, r)| r))),
    }
    // The socket stays usable: another topic joins.
    let mut params = join_params();
    params.thread_id = "thr_other".into();
    ApiChatChannel::join_team_thread(&socket, &params)
        .await
        .map_err(|e| format!("second join: {e}"))?;
    socket.close().await;
    Ok(())
}

/// The harness drops the socket: the client reconnects, rejoins, sends what was pushed in the
/// meantime, and keeps delivering pushes on the same events stream.
async fn reconnect(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({"topic": TOPIC, "onMessage": {"api:chat:typing": [{"type": "disconnect"}]}}),
    )
    .await?;
    let socket = h.socket(Duration::from_secs(5)).await?;
    let (channel, _) = ApiChatChannel::join_team_thread(&socket, &join_params())
        .await
        .map_err(|e| format!("join: {e}"))?;
    let mut events = channel.events();
    h.post("/pushes", json!({"topic": TOPIC, "event": "message_added"})).await?;
    ensure!(matches!(next_event(&mut events).await?, ApiChatChannelEvent::MessageAdded(_)), "first push");
    match channel.typing(&types::ApiChatChannelTypingParams { is_typing: true }).await {
        Err(Error::ChannelDisconnected { event, .. }) => ensure!(event == "api:chat:typing", "{event}"),
        other => return Err(format!("typing should be cut off by the disconnect: {other:?}")),
    }
    // Pushed while the socket reconnects: buffered, sent after the rejoin.
    let read = channel
        .mark_thread_read(&types::ApiChatChannelMarkThreadReadParams { message_id: "msg_9".into() })
        .await
        .map_err(|e| format!("mark_thread_read after the reconnect: {e}"))?;
    let _typed: bool = read.success;
    let joins = h.wait_observed(TOPIC, "phx_join", 2).await?;
    ensure!(joins[1]["params"]["thread_id"] == THREAD, "rejoin params {}", joins[1]);
    h.post("/pushes", json!({"topic": TOPIC, "event": "thread_event"})).await?;
    ensure!(matches!(next_event(&mut events).await?, ApiChatChannelEvent::ThreadEvent(_)), "push after the rejoin");
    socket.close().await;
    match tokio::time::timeout(Duration::from_secs(5), events.next()).await {
        Ok(None) => Ok(()),
        other => Err(format!("the events should end after close: {other:?}")),
    }
}

/// No reply within the reply timeout is a typed error.
async fn reply_timeout(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({"topic": TOPIC, "onMessage": {"api:chat:typing": [{"type": "replyTimeout"}]}}),
    )
    .await?;
    let socket = h.socket(Duration::from_millis(500)).await?;
    let (channel, _) = ApiChatChannel::join_team_thread(&socket, &join_params())
        .await
        .map_err(|e| format!("join: {e}"))?;
    match channel.typing(&types::ApiChatChannelTypingParams { is_typing: false }).await {
        Err(Error::ReplyTimeout { event, topic }) => {
            ensure!(event == "api:chat:typing" && topic == TOPIC, "{event} {topic}")
        }
        other => return Err(format!("typing should time out: {other:?}")),
    }
    socket.close().await;
    Ok(())
}

fn completion_request() -> types::CreateCompletionRequest {
    serde_json::from_value(json!({
        "messages": [{"role": "user", "content": "Say hi"}],
        "opts": {"model": "harness-model"},
    }))
    .expect("a valid request")
}

async fn stream_events(h: &Harness) -> Vec<Result<StreamCompletionEvent, Error>> {
    let client = match h.client() {
        Ok(c) => c,
        Err(e) => return vec![Err(Error::Config(e))],
    };
    let events = client
        .runtime()
        .stream_completion()
        .body(completion_request())
        .events();
    tokio::time::timeout(Duration::from_secs(10), events.collect::<Vec<_>>())
        .await
        .unwrap_or_else(|_| vec![Err(Error::Config("the stream did not end within 10 s".into()))])
}

/// SSE: emitted events arrive typed and in order; the request body reached the server.
async fn sse_emit(h: &Harness) -> Check {
    h.post(
        "/stream-scenarios",
        json!({"route": STREAM_ROUTE, "actions": [
            {"type": "emit", "event": "message_delta", "data": {"delta": "Hel"}},
            {"type": "emit", "event": "message_delta", "data": {"delta": "lo"}},
            {"type": "autoEmit", "event": "message_complete"},
            {"type": "emit", "event": "done", "data": {"finish_reason": "stop", "run_count": 1}},
        ]}),
    )
    .await?;
    let items = stream_events(h).await;
    let mut text = String::new();
    let mut names = Vec::new();
    for item in items {
        match item.map_err(|e| format!("stream item: {e}"))? {
            StreamCompletionEvent::MessageDelta(d) => {
                text.push_str(&d.delta);
                names.push("message_delta");
            }
            StreamCompletionEvent::MessageComplete(_) => names.push("message_complete"),
            StreamCompletionEvent::Done(d) => {
                ensure!(d.finish_reason.as_deref() == Some("stop"), "{d:?}");
                names.push("done");
            }
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    ensure!(text == "Hello", "deltas: {text}");
    ensure!(names == ["message_delta", "message_delta", "message_complete", "done"], "{names:?}");
    let requests = h.wait_observed(STREAM_ROUTE, "request", 1).await?;
    ensure!(requests[0]["params"]["messages"][0]["content"] == "Say hi", "request {}", requests[0]);
    Ok(())
}

/// SSE: an HTTP error status is the API's error, before any event.
async fn sse_status(h: &Harness) -> Check {
    h.post(
        "/stream-scenarios",
        json!({"route": STREAM_ROUTE, "actions": [
            {"type": "status", "code": 402, "body": {"error": {"code": "payment_required", "message": "the plan has no llm_calls"}}},
        ]}),
    )
    .await?;
    let items = stream_events(h).await;
    ensure!(items.len() == 1, "one error item: {items:?}");
    match &items[0] {
        Err(e) => ensure!(e.status().map(|s| s.as_u16()) == Some(402), "{e:?}"),
        Ok(event) => return Err(format!("expected a 402: {event:?}")),
    }
    Ok(())
}

/// SSE: a stream cut off (no event ids to resume from) ends with a typed error after the events
/// that arrived; an `error` event ends it with its typed payload. (Resuming with
/// `Last-Event-ID` is tested against a local server in `tests/client_runtime.rs`: the harness
/// numbers no events.)
async fn sse_disconnect(h: &Harness) -> Check {
    h.post(
        "/stream-scenarios",
        json!({"route": STREAM_ROUTE, "actions": [
            {"type": "emit", "event": "message_delta", "data": {"delta": "partial"}},
            {"type": "disconnect"},
        ]}),
    )
    .await?;
    let items = stream_events(h).await;
    // The harness drops the connection in the tick that wrote the event, before Node flushed
    // it: the client may see the event and then the cut, or only the cut. Either way the
    // stream ends with a typed transport error and nothing else.
    let (last, before) = items.split_last().ok_or("no item at all")?;
    ensure!(
        matches!(last, Err(Error::StreamInterrupted(_)) | Err(Error::Transport(_))),
        "the stream should end with the cut: {items:?}"
    );
    ensure!(
        before.iter().all(|i| matches!(i, Ok(StreamCompletionEvent::MessageDelta(d)) if d.delta == "partial")),
        "{items:?}"
    );

    h.post("/reset", json!({})).await?;
    h.post(
        "/stream-scenarios",
        json!({"route": STREAM_ROUTE, "actions": [
            {"type": "emit", "event": "message_delta", "data": {"delta": "x"}},
            {"type": "emit", "event": "error", "data": {"message": "model overloaded"}},
            {"type": "emit", "event": "done", "data": {"finish_reason": "error"}},
        ]}),
    )
    .await?;
    let items = stream_events(h).await;
    ensure!(items.len() == 2, "the error event ends the stream: {items:?}");
    match &items[1] {
        Err(e) => {
            let payload = StreamCompletionEvent::error_payload(e)
                .ok_or_else(|| format!("no typed error payload in {e:?}"))?;
            ensure!(payload.message == "model overloaded", "{payload:?}");
        }
        Ok(other) => return Err(format!("expected the error event: {other:?}")),
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, scenario, ws_url, control] = args.as_slice() else {
        eprintln!("usage: platform_scenarios SCENARIO WS_URL CONTROL_URL");
        std::process::exit(2);
    };
    let h = Harness {
        ws_url: ws_url.clone(),
        control: control.trim_end_matches('/').to_owned(),
        http: reqwest::Client::new(),
    };
    let result = match scenario.as_str() {
        "join" => join(&h).await,
        "message" => message(&h).await,
        "pushes" => pushes(&h).await,
        "refused" => refused(&h).await,
        "reconnect" => reconnect(&h).await,
        "reply_timeout" => reply_timeout(&h).await,
        "sse_emit" => sse_emit(&h).await,
        "sse_status" => sse_status(&h).await,
        "sse_disconnect" => sse_disconnect(&h).await,
        other => Err(format!("unknown scenario `{other}`")),
    };
    if let Err(message) = result {
        eprintln!("scenario `{scenario}` failed: {message}");
        std::process::exit(1);
    }
}
