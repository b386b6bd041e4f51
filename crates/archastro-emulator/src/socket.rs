//! The realtime API: the Phoenix Channels (protocol v2) WebSocket at `GET /socket/websocket`,
//! serving the channels of the spec's root `x-channels` (`user:{user_id}`, `team:{team_id}`,
//! `thread:{thread_id}`).
//!
//! # Connecting
//!
//! `ws://HOST/socket/websocket?vsn=2.0.0&token=ACCESS_TOKEN`: the access token issued by
//! register, login, refresh or the device flow, in the `token` query parameter or in
//! `Authorization: Bearer`. A missing, unknown or expired token refuses the upgrade with 401 in
//! the API's error envelope; a `vsn` other than `2.x` answers 400. An optional `device` query
//! parameter (`web`, `cli`, ...) goes into the connection's presence metadata.
//!
//! # Frames
//!
//! Text frames holding JSON arrays `[join_ref, ref, topic, event, payload]`; other frames are
//! ignored. Every client frame with a `ref` is answered by
//! `[join_ref, ref, topic, "phx_reply", {"status": "ok" | "error", "response": ...}]`; an error
//! response is `{"reason": REASON, "message": TEXT}` with `REASON` one of `unknown_topic`,
//! `unauthorized`, `not_found`, `not_joined`, `unknown_event`, `invalid_params` (and, for
//! `post_message`, `conflict`). Server pushes are `[join_ref, null, topic, event, payload]`.
//!
//! - `phoenix` / `heartbeat` → ok `{}`.
//! - `phx_join` → ok with the join's `returns` (`user:` → `{user, unread_notifications}`,
//!   `team:` → `{team}`, `thread:` → `{thread, messages}` where `messages` is a `MessagePage`
//!   honouring `limit`, `before_cursor` and `after_cursor`), then `presence_state` to the joiner
//!   and `presence_diff` (joins) to the other sockets on the topic. Only the user may join
//!   `user:{own id}`, members `team:`, and the owner or a participant of a user thread or a
//!   member of a team thread `thread:`; unknown teams and threads answer `not_found`. Joining a
//!   topic again replaces the earlier join.
//! - `phx_leave` → ok `{}`, then `[join_ref, null, topic, "phx_close", {}]`; the others get
//!   `presence_diff` (leaves). A closed socket leaves every topic the same way.
//! - `user:` messages: `update_presence` (`{status}` → `{status}`, a `presence_diff` to
//!   everyone on the topic), `mark_notifications_read` (`{success, unread_notifications}`; the
//!   emulator has no notifications, so the count is 0). `team:`: `update_presence`.
//! - `thread:` messages: `post_message` (a `CreateMessageRequest`, stored as the REST
//!   operations store it → `{message}`, and `message_created` to every socket on the topic),
//!   `typing` (`{typing: bool}` → `{success: true}`; `typing_started` / `typing_stopped`
//!   `{thread, user, agent: null}` to the other sockets when the state changes; typing stops
//!   by itself 5 seconds ([`Config::typing_ttl`](crate::Config::typing_ttl)) after the last
//!   `typing: true`, and when the socket leaves),
//!   `mark_read` (`{message_id}` → `{success, unread_count}` counting the later messages of
//!   others; `read_receipt` `{user, message_id, read_at}` to the other sockets),
//!   `load_more_messages` (`{limit?, before_cursor?, after_cursor?}` → a `MessagePage`).
//!
//! REST writes push too: every message created (user or team thread, user or secret key) is
//! `message_created` on `thread:{id}`; a new thread is `thread_created` on `team:{team}` (team
//! threads) and on `user:{id}` of its owner and participants, an updated one `thread_updated`
//! on those user topics; joining a team pushes `member_joined` and replacing it
//! `team_updated` on `team:{id}`.
//!
//! Presence metadata of a connection: `{status, online_at, device?, phx_ref}`, keyed by user id.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use archastro_server::ApiError;
use archastro_server::types::{self, Message as ApiMessage, MessagePage, OwnerType};
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::State;
use crate::paging;
use crate::store::{Caller, Store, ThreadRec, now};

/// The route of the socket.
pub(crate) const PATH: &str = "/socket/websocket";

type Outbox = mpsc::UnboundedSender<String>;

/// One encoded frame.
fn frame(join_ref: &Value, reference: &Value, topic: &str, event: &str, payload: Value) -> String {
    json!([join_ref, reference, topic, event, payload]).to_string()
}

// ---------------------------------------------------------------------------------------------
// The hub: who is joined to what
// ---------------------------------------------------------------------------------------------

/// One socket joined to one topic.
struct Member {
    join_ref: Value,
    user: String,
    /// Its presence metadata.
    meta: Value,
    outbox: Outbox,
}

#[derive(Default)]
struct HubInner {
    next_conn: u64,
    next_presence: u64,
    /// Topic → connection id → member, in joining order.
    topics: HashMap<String, BTreeMap<u64, Member>>,
}

/// The sockets joined to each topic; pushes go through it. Lock order: the store, then the hub.
#[derive(Default)]
pub(crate) struct Hub {
    inner: Mutex<HubInner>,
}

/// `{user_id: {metas: [...]}}` of some members.
fn presence_map<'m>(members: impl Iterator<Item = &'m Member>) -> Value {
    let mut map = Map::new();
    for m in members {
        let entry = map
            .entry(m.user.clone())
            .or_insert_with(|| json!({ "metas": [] }));
        if let Some(metas) = entry["metas"].as_array_mut() {
            metas.push(m.meta.clone());
        }
    }
    Value::Object(map)
}

/// Pushes `presence_diff` with `payload` to every member of `topic`.
fn send_presence_diff(members: &BTreeMap<u64, Member>, topic: &str, payload: &Value) {
    for m in members.values() {
        let _ = m.outbox.send(frame(
            &m.join_ref,
            &Value::Null,
            topic,
            "presence_diff",
            payload.clone(),
        ));
    }
}

fn diff(joins: Value, leaves: Value) -> Value {
    json!({ "joins": joins, "leaves": leaves })
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, HubInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn connect(&self) -> u64 {
        let mut inner = self.lock();
        inner.next_conn += 1;
        inner.next_conn
    }

    /// Pushes `event` to every socket on `topic` but `except`; the number reached.
    fn push_except(&self, topic: &str, event: &str, payload: &Value, except: Option<u64>) -> usize {
        self.push_each(topic, event, except, |_| payload.clone())
    }

    /// Pushes `event` with a payload made for each member's user.
    fn push_each(
        &self,
        topic: &str,
        event: &str,
        except: Option<u64>,
        payload: impl Fn(&str) -> Value,
    ) -> usize {
        let inner = self.lock();
        let Some(members) = inner.topics.get(topic) else {
            return 0;
        };
        let mut reached = 0;
        for (_, m) in members.iter().filter(|(id, _)| Some(**id) != except) {
            let text = frame(&m.join_ref, &Value::Null, topic, event, payload(&m.user));
            if m.outbox.send(text).is_ok() {
                reached += 1;
            }
        }
        reached
    }

    /// Pushes `event` to every socket on `topic`; the number reached.
    pub(crate) fn push(&self, topic: &str, event: &str, payload: &Value) -> usize {
        self.push_except(topic, event, payload, None)
    }

    /// `message_created` on the message's thread.
    pub(crate) fn message_created(&self, message: &ApiMessage) {
        if let Ok(payload) = serde_json::to_value(message) {
            self.push(
                &format!("thread:{}", message.thread),
                "message_created",
                &payload,
            );
        }
    }

    /// `thread_created` or `thread_updated` where the spec declares them: the user topics of
    /// the owner and the participants, and (`thread_created`) the owning team's topic.
    pub(crate) fn thread_event(&self, event: &str, thread: &types::Thread) {
        let Ok(payload) = serde_json::to_value(thread) else {
            return;
        };
        let users: BTreeSet<&String> = thread.user.iter().chain(&thread.participants).collect();
        for user in users {
            self.push(&format!("user:{user}"), event, &payload);
        }
        if event == "thread_created"
            && thread.owner_type == OwnerType::Team
            && let Some(team) = &thread.team
        {
            self.push(&format!("team:{team}"), event, &payload);
        }
    }

    /// `team_updated` on `team:{id}`, the team rendered for each member.
    pub(crate) fn team_updated(&self, store: &Store, team: &types::Team) {
        self.push_each(&format!("team:{}", team.id), "team_updated", None, |user| {
            serde_json::to_value(store.render_team(team, &Caller::User(user.to_owned())))
                .unwrap_or(Value::Null)
        });
    }

    /// Adds a member, pushes `presence_state` to it and `presence_diff` (joins) to the others.
    fn join(&self, topic: &str, conn: u64, member: JoinOf<'_>) {
        let mut inner = self.lock();
        inner.next_presence += 1;
        let mut meta = json!({
            "status": "online",
            "online_at": now(),
            "phx_ref": format!("phx_{:06}", inner.next_presence),
        });
        if let Some(device) = member.device {
            meta["device"] = json!(device);
        }
        let joined = Member {
            join_ref: member.join_ref,
            user: member.user.to_owned(),
            meta,
            outbox: member.outbox,
        };
        let joins = presence_map(std::iter::once(&joined));
        let members = inner.topics.entry(topic.to_owned()).or_default();
        members.insert(conn, joined);
        let state = presence_map(members.values());
        let payload = diff(joins, json!({}));
        for (id, m) in members.iter() {
            let (event, body) = if *id == conn {
                ("presence_state", state.clone())
            } else {
                ("presence_diff", payload.clone())
            };
            let _ = m
                .outbox
                .send(frame(&m.join_ref, &Value::Null, topic, event, body));
        }
    }

    /// Removes a member and pushes `presence_diff` (leaves) to the others.
    fn leave(&self, topic: &str, conn: u64) {
        let mut inner = self.lock();
        let Some(members) = inner.topics.get_mut(topic) else {
            return;
        };
        let Some(left) = members.remove(&conn) else {
            return;
        };
        let payload = diff(json!({}), presence_map(std::iter::once(&left)));
        send_presence_diff(members, topic, &payload);
        if members.is_empty() {
            inner.topics.remove(topic);
        }
    }

    /// Changes a member's presence status: a `presence_diff` (the old metadata leaves, the new
    /// one joins) to every socket on the topic.
    fn update_presence(&self, topic: &str, conn: u64, status: &str) {
        let mut inner = self.lock();
        inner.next_presence += 1;
        let phx_ref = format!("phx_{:06}", inner.next_presence);
        let Some(members) = inner.topics.get_mut(topic) else {
            return;
        };
        let Some(member) = members.get_mut(&conn) else {
            return;
        };
        let leaves = presence_map(std::iter::once(&*member));
        let previous = member.meta["phx_ref"].clone();
        member.meta["status"] = json!(status);
        member.meta["phx_ref"] = json!(phx_ref);
        member.meta["phx_ref_prev"] = previous;
        let payload = diff(presence_map(std::iter::once(&*member)), leaves);
        send_presence_diff(members, topic, &payload);
    }
}

/// What [`Hub::join`] needs of the joining socket.
struct JoinOf<'a> {
    join_ref: Value,
    user: &'a str,
    device: Option<&'a str>,
    outbox: Outbox,
}

// ---------------------------------------------------------------------------------------------
// The upgrade
// ---------------------------------------------------------------------------------------------

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// The user of an access token, as the bearer authentication of the REST operations decides.
fn authenticate(state: &State, token: Option<&str>) -> Result<String, ApiError> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorized("authentication required: pass `token` or a bearer token"))?;
    let checked = state.write().check_access_token(token);
    match checked {
        Ok(user) => Ok(user),
        Err(crate::store::TokenError::Expired) => {
            state.count(|s| s.expired_tokens += 1);
            Err(unauthorized("the access token has expired"))
        }
        Err(crate::store::TokenError::Unknown) => Err(unauthorized(
            "unknown or revoked access token (channels take a user access token)",
        )),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// `GET /socket/websocket`.
pub(crate) async fn upgrade(
    Extract(state): Extract<Arc<State>>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return ApiError::bad_request("the query string is malformed").into_response();
    };
    let token = query
        .get("token")
        .map(String::as_str)
        .or_else(|| bearer(&headers));
    let user = match authenticate(&state, token) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    if let Some(vsn) = query.get("vsn")
        && !(vsn == "2" || vsn.starts_with("2."))
    {
        return ApiError::bad_request(format!(
            "protocol version `{vsn}` is not supported: connect with `vsn=2.0.0`"
        ))
        .into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return ApiError::new(rejection.status(), "bad_request", rejection.body_text())
                .into_response();
        }
    };
    let device = query.get("device").cloned();
    ws.on_upgrade(move |socket| run(socket, state, user, device))
}

/// The JSON 405 of other methods on the socket's path.
pub(crate) async fn method_not_allowed(method: axum::http::Method) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("`{method}` is not allowed on `{PATH}`"),
    )
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// One socket
// ---------------------------------------------------------------------------------------------

/// Why a join or a message is refused: `{"reason", "message"}`.
struct Refusal {
    reason: &'static str,
    message: String,
}

impl Refusal {
    fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            reason,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Refusal::new("invalid_params", message)
    }

    fn response(&self) -> Value {
        json!({ "reason": self.reason, "message": self.message })
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        let reason = match e.status.as_u16() {
            401 | 403 => "unauthorized",
            404 => "not_found",
            409 => "conflict",
            400 | 422 => "invalid_params",
            _ => "internal_error",
        };
        Refusal::new(reason, e.message)
    }
}

/// A topic of the spec's channels.
#[derive(Clone, Copy)]
enum Topic<'a> {
    User(&'a str),
    Team(&'a str),
    Thread(&'a str),
}

impl<'a> Topic<'a> {
    fn parse(topic: &'a str) -> Option<Topic<'a>> {
        let (kind, id) = topic.split_once(':')?;
        if id.is_empty() {
            return None;
        }
        match kind {
            "user" => Some(Topic::User(id)),
            "team" => Some(Topic::Team(id)),
            "thread" => Some(Topic::Thread(id)),
            _ => None,
        }
    }

    /// The join parameter the topic carries.
    fn param(self) -> (&'static str, &'a str) {
        match self {
            Topic::User(id) => ("user_id", id),
            Topic::Team(id) => ("team_id", id),
            Topic::Thread(id) => ("thread_id", id),
        }
    }
}

/// The thread, if `user` may use it over the socket: the owner or a participant of a user
/// thread, a member of the team of a team thread.
fn thread_for<'s>(store: &'s Store, user: &str, id: &str) -> Result<&'s ThreadRec, Refusal> {
    let rec = store
        .threads
        .get(id)
        .ok_or_else(|| Refusal::new("not_found", format!("thread `{id}` not found")))?;
    let t = &rec.thread;
    let allowed = match t.owner_type {
        OwnerType::User => {
            t.user.as_deref() == Some(user) || t.participants.iter().any(|p| p == user)
        }
        OwnerType::Team => t
            .team
            .as_deref()
            .is_some_and(|team| store.role_in(team, user).is_some()),
    };
    if allowed {
        Ok(rec)
    } else {
        Err(Refusal::new(
            "unauthorized",
            format!("you may not join thread `{id}`"),
        ))
    }
}

fn params(payload: Value) -> Result<Map<String, Value>, Refusal> {
    match payload {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(Refusal::invalid("the payload must be an object")),
    }
}

fn opt_string<'p>(params: &'p Map<String, Value>, name: &str) -> Result<Option<&'p str>, Refusal> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Refusal::invalid(format!("`{name}` must be a string"))),
    }
}

/// `limit`, `before_cursor`, `after_cursor` → a page of the thread's messages.
fn message_page(rec: &ThreadRec, params: &Map<String, Value>) -> Result<MessagePage, Refusal> {
    let limit = match params.get("limit") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n @ 1..=100) => Some(n),
            _ => {
                return Err(Refusal::invalid("`limit` must be an integer from 1 to 100"));
            }
        },
    };
    let before = opt_string(params, "before_cursor")?;
    let after = opt_string(params, "after_cursor")?;
    let page = paging::cursor(&rec.messages, |m| m.id.as_str(), limit, before, after)?;
    Ok(MessagePage {
        data: page.data,
        before_cursor: page.before_cursor,
        after_cursor: page.after_cursor,
        has_more: page.has_more,
    })
}

fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// One connection's state; its task owns it.
struct Conn {
    state: Arc<State>,
    id: u64,
    user: String,
    device: Option<String>,
    outbox: Outbox,
    /// Joined topics → their join refs.
    joined: BTreeMap<String, Value>,
    /// Threads the user is typing in → the generation of the latest `typing: true`.
    typing: HashMap<String, u64>,
    typing_generation: u64,
    /// Expired typing generations come back here.
    timers: mpsc::UnboundedSender<(String, u64)>,
}

async fn run(mut socket: WebSocket, state: Arc<State>, user: String, device: Option<String>) {
    let (outbox, mut outgoing) = mpsc::unbounded_channel::<String>();
    let (timers, mut expired) = mpsc::unbounded_channel::<(String, u64)>();
    let mut conn = Conn {
        id: state.hub.connect(),
        state,
        user,
        device,
        outbox,
        joined: BTreeMap::new(),
        typing: HashMap::new(),
        typing_generation: 0,
        timers,
    };
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Frame::Text(text))) => conn.handle(text.as_str()),
                Some(Ok(Frame::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some(text) = outgoing.recv() => {
                if socket.send(Frame::Text(text.into())).await.is_err() {
                    break;
                }
            }
            Some((topic, generation)) = expired.recv() => conn.typing_expired(&topic, generation),
        }
    }
    conn.disconnect();
}

impl Conn {
    fn send(&self, text: String) {
        let _ = self.outbox.send(text);
    }

    fn handle(&mut self, text: &str) {
        let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let Ok([join_ref, reference, topic, event, payload]) = <[Value; 5]>::try_from(parts) else {
            return;
        };
        let (Value::String(topic), Value::String(event)) = (topic, event) else {
            return;
        };
        let reply = |result: Result<Value, Refusal>| {
            let payload = match result {
                Ok(response) => json!({ "status": "ok", "response": response }),
                Err(refusal) => json!({ "status": "error", "response": refusal.response() }),
            };
            frame(&join_ref, &reference, &topic, "phx_reply", payload)
        };
        match (topic.as_str(), event.as_str()) {
            ("phoenix", "heartbeat") => self.send(reply(Ok(json!({})))),
            ("phoenix", _) => self.send(reply(Err(Refusal::new(
                "unknown_event",
                format!("`{event}` is not an event of the `phoenix` topic"),
            )))),
            (_, "phx_join") => {
                // The reply goes out inside `join`, before the first push.
                if let Err(refusal) = self.join(&topic, join_ref.clone(), payload, &reply) {
                    self.send(reply(Err(refusal)));
                }
            }
            (_, "phx_leave") => match self.joined.get(&topic).cloned() {
                Some(joined_ref) => {
                    self.leave(&topic);
                    self.send(reply(Ok(json!({}))));
                    self.send(frame(
                        &joined_ref,
                        &Value::Null,
                        &topic,
                        "phx_close",
                        json!({}),
                    ));
                }
                None => self.send(reply(Err(not_joined(&topic)))),
            },
            _ if !self.joined.contains_key(&topic) => self.send(reply(Err(not_joined(&topic)))),
            _ => {
                let result = params(payload).and_then(|p| self.message(&topic, &event, p, &reply));
                if let Some(result) = result.transpose() {
                    self.send(reply(result));
                }
            }
        }
    }

    /// Joins `topic`: the reply (made by `reply`) is queued before the hub sends anything.
    fn join(
        &mut self,
        topic: &str,
        join_ref: Value,
        payload: Value,
        reply: &dyn Fn(Result<Value, Refusal>) -> String,
    ) -> Result<(), Refusal> {
        let parsed = Topic::parse(topic).ok_or_else(|| {
            Refusal::new(
                "unknown_topic",
                format!("`{topic}` is not a `user:`, `team:` or `thread:` topic"),
            )
        })?;
        let params = params(payload)?;
        let (name, value) = parsed.param();
        match params.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == value => {}
            Some(_) => {
                return Err(Refusal::invalid(format!(
                    "`{name}` does not match the topic `{topic}`"
                )));
            }
        }
        let me = self.user.clone();
        let state = self.state.clone();
        let store = state.read();
        let response = match parsed {
            Topic::User(id) => {
                if id != me {
                    return Err(Refusal::new(
                        "unauthorized",
                        "only the user may join their `user:` topic",
                    ));
                }
                json!({ "user": to_json(store.user(id)?), "unread_notifications": 0 })
            }
            Topic::Team(id) => {
                let team = store
                    .teams
                    .get(id)
                    .ok_or_else(|| Refusal::new("not_found", format!("team `{id}` not found")))?;
                if store.role_in(id, &me).is_none() {
                    return Err(Refusal::new(
                        "unauthorized",
                        "you are not a member of this team",
                    ));
                }
                json!({ "team": to_json(&store.render_team(team, &Caller::User(me.clone()))) })
            }
            Topic::Thread(id) => {
                let rec = thread_for(&store, &me, id)?;
                let page = message_page(rec, &params)?;
                json!({ "thread": to_json(&rec.thread), "messages": to_json(&page) })
            }
        };
        if self.joined.contains_key(topic) {
            self.leave(topic);
        }
        // Under the store's lock: no message can be created between the page and the first
        // push, and the reply precedes `presence_state`.
        self.send(reply(Ok(response)));
        self.state.hub.join(
            topic,
            self.id,
            JoinOf {
                join_ref: join_ref.clone(),
                user: &me,
                device: self.device.as_deref(),
                outbox: self.outbox.clone(),
            },
        );
        drop(store);
        self.joined.insert(topic.to_owned(), join_ref);
        Ok(())
    }

    /// Leaves a joined topic (typing stops, presence leaves), without replying.
    fn leave(&mut self, topic: &str) {
        self.stop_typing(topic);
        self.state.hub.leave(topic, self.id);
        self.joined.remove(topic);
    }

    fn disconnect(&mut self) {
        let topics: Vec<String> = self.joined.keys().cloned().collect();
        for topic in topics {
            self.leave(&topic);
        }
    }

    /// A message on a joined topic: `Ok(None)` when the reply was already sent.
    fn message(
        &mut self,
        topic: &str,
        event: &str,
        params: Map<String, Value>,
        reply: &dyn Fn(Result<Value, Refusal>) -> String,
    ) -> Result<Option<Value>, Refusal> {
        let unknown = || {
            Err(Refusal::new(
                "unknown_event",
                format!("`{event}` is not a message of `{topic}`"),
            ))
        };
        match (Topic::parse(topic), event) {
            (Some(Topic::User(_) | Topic::Team(_)), "update_presence") => {
                let status = match params.get("status").and_then(Value::as_str) {
                    Some(s @ ("online" | "away" | "busy")) => s,
                    _ => {
                        return Err(Refusal::invalid(
                            "`status` must be `online`, `away` or `busy`",
                        ));
                    }
                };
                self.send(reply(Ok(json!({ "status": status }))));
                self.state.hub.update_presence(topic, self.id, status);
                Ok(None)
            }
            (Some(Topic::User(_)), "mark_notifications_read") => {
                match params.get("notification_ids") {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(ids)) if ids.iter().all(Value::is_string) => {}
                    Some(_) => {
                        return Err(Refusal::invalid(
                            "`notification_ids` must be an array of strings",
                        ));
                    }
                }
                Ok(Some(json!({ "success": true, "unread_notifications": 0 })))
            }
            (Some(Topic::Thread(_)), "typing") => {
                let Some(typing) = params.get("typing").and_then(Value::as_bool) else {
                    return Err(Refusal::invalid("`typing` must be a boolean"));
                };
                self.send(reply(Ok(json!({ "success": true }))));
                if typing {
                    self.start_typing(topic);
                } else {
                    self.stop_typing(topic);
                }
                Ok(None)
            }
            (Some(Topic::Thread(id)), "mark_read") => {
                let Some(message_id) = opt_string(&params, "message_id")? else {
                    return Err(Refusal::invalid("`message_id` is required"));
                };
                let unread = {
                    let store = self.state.read();
                    let rec = thread_for(&store, &self.user, id)?;
                    let at = rec
                        .messages
                        .iter()
                        .position(|m| m.id == message_id)
                        .ok_or_else(|| {
                            Refusal::new(
                                "not_found",
                                format!("message `{message_id}` is not in this thread"),
                            )
                        })?;
                    rec.messages[at + 1..]
                        .iter()
                        .filter(|m| m.user.as_deref() != Some(self.user.as_str()))
                        .count()
                };
                self.send(reply(Ok(
                    json!({ "success": true, "unread_count": unread }),
                )));
                let receipt =
                    json!({ "user": self.user, "message_id": message_id, "read_at": now() });
                self.state
                    .hub
                    .push_except(topic, "read_receipt", &receipt, Some(self.id));
                Ok(None)
            }
            (Some(Topic::Thread(id)), "post_message") => {
                let body: types::CreateMessageRequest =
                    serde_json::from_value(Value::Object(params))
                        .map_err(|e| Refusal::invalid(e.to_string()))?;
                let caller = Caller::User(self.user.clone());
                let mut store = self.state.write();
                thread_for(&store, &self.user, id)?;
                let (message, created) =
                    crate::runtime::create_message(&mut store, &caller, id, body)?;
                self.send(reply(Ok(json!({ "message": to_json(&message) }))));
                if created {
                    self.state.hub.message_created(&message);
                }
                Ok(None)
            }
            (Some(Topic::Thread(id)), "load_more_messages") => {
                let store = self.state.read();
                let rec = thread_for(&store, &self.user, id)?;
                Ok(Some(to_json(&message_page(rec, &params)?)))
            }
            _ => unknown(),
        }
    }

    fn typing_payload(&self, topic: &str) -> Value {
        let thread = topic.strip_prefix("thread:").unwrap_or(topic);
        json!({ "thread": thread, "user": self.user, "agent": null })
    }

    /// `typing: true`: `typing_started` to the others unless already typing; (re)arms expiry.
    fn start_typing(&mut self, topic: &str) {
        self.typing_generation += 1;
        let generation = self.typing_generation;
        let was_typing = self.typing.insert(topic.to_owned(), generation).is_some();
        if !was_typing {
            let payload = self.typing_payload(topic);
            self.state
                .hub
                .push_except(topic, "typing_started", &payload, Some(self.id));
        }
        let timers = self.timers.clone();
        let topic = topic.to_owned();
        let ttl = self.state.config.typing_ttl;
        tokio::spawn(async move {
            tokio::time::sleep(ttl).await;
            let _ = timers.send((topic, generation));
        });
    }

    /// `typing_stopped` to the others if the user was typing.
    fn stop_typing(&mut self, topic: &str) {
        if self.typing.remove(topic).is_some() {
            let payload = self.typing_payload(topic);
            self.state
                .hub
                .push_except(topic, "typing_stopped", &payload, Some(self.id));
        }
    }

    fn typing_expired(&mut self, topic: &str, generation: u64) {
        if self.typing.get(topic) == Some(&generation) {
            self.stop_typing(topic);
        }
    }
}

fn not_joined(topic: &str) -> Refusal {
    Refusal::new("not_joined", format!("join `{topic}` first"))
}
