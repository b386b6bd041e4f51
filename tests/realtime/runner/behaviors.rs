//! The runtime's behaviours, through the chat channel and the chat completion stream that
//! every platform spec declares: typed params on the wire, typed replies and refusals, scripted
//! pushes in order, a refused join, a reconnect with its rejoin, a reply timeout, and deltas
//! streamed in order. (What every channel and stream declares is swept by `surface.rs`.)

use std::time::Duration;

use archastro_client::channels::{ApiChatChannel, ApiChatChannelEvent, Socket};
use archastro_client::streaming::StreamCompletionEvent;
use archastro_client::{Error, types};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::Check;
use crate::harness::{Harness, REPLY_TIMEOUT};
use crate::sweep::next_event;

/// The scenarios of this module, as `run` knows them.
pub const SCENARIOS: &[&str] = &[
    "chat_join",
    "chat_message",
    "chat_pushes",
    "chat_refused_join",
    "chat_reconnect",
    "chat_reply_timeout",
    "completion_deltas",
];

/// Runs the scenario `name`; `None` when it is not one of this module's.
pub async fn run(name: &str, h: &Harness) -> Option<Check> {
    Some(match name {
        "chat_join" => join(h).await,
        "chat_message" => message(h).await,
        "chat_pushes" => pushes(h).await,
        "chat_refused_join" => refused(h).await,
        "chat_reconnect" => reconnect(h).await,
        "chat_reply_timeout" => reply_timeout(h).await,
        "completion_deltas" => completion_deltas(h).await,
        _ => return None,
    })
}

const TEAM: &str = "tem_harness";
const THREAD: &str = "thr_harness";
const TOPIC: &str = "api:chat:team:tem_harness:thread:thr_harness";
const STREAM_ROUTE: &str = "POST /api/v1/ai/chat/completions/stream";

/// The params of the team thread `thread` (their type has more optional fields in newer specs).
fn join_params(thread: &str) -> types::ApiChatChannelJoinTeamThreadParams {
    serde_json::from_value(json!({"team_id": TEAM, "thread_id": thread, "limit": 20, "include_metadata": true}))
        .expect("team thread params")
}

async fn join_thread(h: &Harness, reply_timeout: Duration) -> Result<(Socket, ApiChatChannel), String> {
    let socket = h.socket(reply_timeout).await?;
    let (channel, _) = ApiChatChannel::join_team_thread(&socket, &join_params(THREAD))
        .await
        .map_err(|e| format!("join: {e}"))?;
    Ok((socket, channel))
}

/// Join with typed params: the topic is built from them, the harness validated them, and the
/// reply is typed.
async fn join(h: &Harness) -> Check {
    h.post(
        "/scenarios",
        json!({"topic": TOPIC, "onJoin": [{"type": "reply", "payload": {"thread_id": THREAD, "unread": 3}}]}),
    )
    .await?;
    let socket = h.socket(REPLY_TIMEOUT).await?;
    let (channel, reply) = ApiChatChannel::join_team_thread(&socket, &join_params(THREAD))
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
    let (socket, channel) = join_thread(h, REPLY_TIMEOUT).await?;
    let read = channel
        .mark_thread_read(&types::ApiChatChannelMarkThreadReadParams { message_id: "msg_1".into() })
        .await
        .map_err(|e| format!("mark_thread_read: {e}"))?;
    ensure!(read.success, "mark_thread_read reply {read:?}");
    let post: types::ApiChatChannelPostMessageParams =
        serde_json::from_value(json!({"content": "hello from rust", "idempotency_key": "idem-1"})).map_err(|e| e.to_string())?;
    channel.post_message(&post).await.map_err(|e| format!("post_message: {e}"))?;
    let seen = h.wait_observed(TOPIC, "api:chat:post_message", 1).await?;
    let sent = &seen[0]["params"];
    ensure!(
        sent["content"] == "hello from rust" && sent["idempotency_key"] == "idem-1" && sent.get("reply_to").is_none(),
        "post_message on the wire: {sent}"
    );
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
    let (socket, channel) = join_thread(h, REPLY_TIMEOUT).await?;
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
    ensure!(names == ["message_added", "thread_event", "typing", "thread_event"], "order: {names:?}");
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
    let socket = h.socket(REPLY_TIMEOUT).await?;
    match ApiChatChannel::join_team_thread(&socket, &join_params(THREAD)).await {
        Err(Error::JoinRefused { topic, reason, .. }) => {
            ensure!(topic == TOPIC && reason == "unauthorized", "{topic} {reason}");
        }
        other => return Err(format!("the join should be refused: {:?}", other.map(|(_, r)| r))),
    }
    // The socket stays usable: another topic joins.
    ApiChatChannel::join_team_thread(&socket, &join_params("thr_other"))
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
    let (socket, channel) = join_thread(h, REPLY_TIMEOUT).await?;
    let mut events = channel.events();
    h.auto_push(TOPIC, "message_added").await?;
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
    h.auto_push(TOPIC, "thread_event").await?;
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
    let (socket, channel) = join_thread(h, Duration::from_millis(500)).await?;
    match channel.typing(&types::ApiChatChannelTypingParams { is_typing: false }).await {
        Err(Error::ReplyTimeout { event, topic }) => {
            ensure!(event == "api:chat:typing" && topic == TOPIC, "{event} {topic}")
        }
        other => return Err(format!("typing should time out: {other:?}")),
    }
    socket.close().await;
    Ok(())
}

/// Scripted deltas of a chat completion arrive typed and in order, with their payloads.
async fn completion_deltas(h: &Harness) -> Check {
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
    let api = h.client()?;
    let items = tokio::time::timeout(
        Duration::from_secs(10),
        crate::surface::open_stream_completion(&api).collect::<Vec<_>>(),
    )
    .await
    .map_err(|_| "the stream did not end within 10 s")?;
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
    ensure!(requests[0]["params"].get("messages").is_some_and(Value::is_array), "request {}", requests[0]);
    Ok(())
}
