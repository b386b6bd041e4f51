//! The emulator's Phoenix Channels WebSocket (`/socket/websocket`) driven by a raw protocol v2
//! client: heartbeats, joins and their refusals, REST messages pushed to `thread:` sockets,
//! typing relayed to the other sockets, presence, leaving, and the upgrade's authentication.
//!
//! A token comes from `POST /api/v2/auth/register` (with the publishable key
//! `pk_test_emulator` in `x-api-key`); the socket connects to
//! `ws://ADDR/socket/websocket?vsn=2.0.0&token=ACCESS_TOKEN`.

use std::collections::VecDeque;
use std::time::Duration;

use archastro_emulator::{Config, DEFAULT_PUBLISHABLE_KEY, Emulator, Running};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const WAIT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

struct Rest {
    http: reqwest::Client,
    base: String,
}

struct Account {
    token: String,
    id: String,
}

impl Rest {
    fn new(running: &Running) -> Rest {
        Rest {
            http: reqwest::Client::new(),
            base: running.url(),
        }
    }

    async fn register(&self, email: &str) -> Account {
        let response = self
            .http
            .post(format!("{}/api/v2/auth/register", self.base))
            .header("x-api-key", DEFAULT_PUBLISHABLE_KEY)
            .json(&json!({ "email": email, "password": "correct-horse-battery", "name": email }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let body: Value = response.json().await.unwrap();
        Account {
            token: body["access_token"].as_str().unwrap().to_owned(),
            id: body["user"]["id"].as_str().unwrap().to_owned(),
        }
    }

    async fn post(&self, who: &Account, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&who.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert!(status < 300, "POST {path}: {status} {body}");
        body
    }

    async fn get(&self, who: &Account, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        response.json().await.unwrap()
    }

    /// A team of `owner` that `member` joined, with one team thread: (team id, thread id).
    async fn team_thread(&self, owner: &Account, member: &Account) -> (String, String) {
        let team = self
            .post(owner, "/api/v2/teams", json!({ "name": "Launch Crew" }))
            .await;
        let team = team["id"].as_str().unwrap().to_owned();
        let invitation = self
            .post(
                owner,
                &format!("/api/v2/teams/{team}/invite"),
                json!({ "role": "member" }),
            )
            .await;
        self.post(
            member,
            "/api/v2/teams/join",
            json!({ "code": invitation["code"] }),
        )
        .await;
        let thread = self
            .post(
                owner,
                &format!("/api/v2/teams/{team}/threads"),
                json!({ "title": "Planning" }),
            )
            .await;
        (team, thread["id"].as_str().unwrap().to_owned())
    }
}

// ---------------------------------------------------------------------------------------------
// A raw Phoenix v2 client
// ---------------------------------------------------------------------------------------------

struct Phoenix {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_ref: u64,
    /// Frames read while looking for another one.
    pending: VecDeque<Value>,
}

fn socket_url(running: &Running, token: &str) -> String {
    format!("{}?vsn=2.0.0&token={token}", running.socket_url())
}

impl Phoenix {
    async fn connect(running: &Running, token: &str) -> Phoenix {
        let (ws, _) = tokio_tungstenite::connect_async(socket_url(running, token))
            .await
            .expect("the upgrade succeeds");
        Phoenix {
            ws,
            next_ref: 0,
            pending: VecDeque::new(),
        }
    }

    async fn send_raw(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// Sends `[join_ref, ref, topic, event, payload]`; the ref.
    async fn send(
        &mut self,
        join_ref: Option<&str>,
        topic: &str,
        event: &str,
        payload: Value,
    ) -> String {
        self.next_ref += 1;
        let reference = self.next_ref.to_string();
        let text = json!([join_ref, reference, topic, event, payload]).to_string();
        self.send_raw(&text).await;
        reference
    }

    /// The next frame from the socket (not the pending ones).
    async fn read(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await {
                Err(_) => panic!("no frame within {WAIT:?}"),
                Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Some(serde_json::from_str(text.as_str()).unwrap());
                }
                Ok(Some(Ok(Message::Close(_)))) => return None,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The first frame (pending or new) matching `want`.
    async fn expect(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&want) {
            return self.pending.remove(i).unwrap();
        }
        loop {
            let frame = self
                .read()
                .await
                .unwrap_or_else(|| panic!("socket closed waiting for {what}"));
            if want(&frame) {
                return frame;
            }
            self.pending.push_back(frame);
        }
    }

    /// The `phx_reply` to `reference`: its payload (`{status, response}`).
    async fn reply(&mut self, reference: &str) -> Value {
        let frame = self
            .expect(&format!("the reply to {reference}"), |f| {
                f[3] == "phx_reply" && f[1] == reference
            })
            .await;
        frame[4].clone()
    }

    /// The next push of `event` on `topic` (a frame with a null ref).
    async fn push(&mut self, topic: &str, event: &str) -> Value {
        self.expect(&format!("{event} on {topic}"), |f| {
            f[1].is_null() && f[2] == topic && f[3] == event
        })
        .await
    }

    /// Sends `event` and waits for its reply.
    async fn call(&mut self, join_ref: &str, topic: &str, event: &str, payload: Value) -> Value {
        let reference = self.send(Some(join_ref), topic, event, payload).await;
        self.reply(&reference).await
    }

    /// Joins `topic`: (join ref, reply payload).
    async fn join(&mut self, topic: &str, payload: Value) -> (String, Value) {
        let join_ref = (self.next_ref + 1).to_string();
        let reference = self.send(Some(&join_ref), topic, "phx_join", payload).await;
        assert_eq!(reference, join_ref);
        let reply = self.reply(&reference).await;
        (join_ref, reply)
    }

    /// Joins `topic`, asserts success and consumes `presence_state`: (join ref, response).
    async fn join_ok(&mut self, topic: &str, payload: Value) -> (String, Value) {
        let (join_ref, reply) = self.join(topic, payload).await;
        assert_eq!(reply["status"], "ok", "joining {topic}: {reply}");
        self.push(topic, "presence_state").await;
        (join_ref, reply["response"].clone())
    }

    /// Asserts that no push of `event` on `topic` arrives: a heartbeat round trip flushes
    /// everything the server queued before it.
    async fn assert_no_push(&mut self, topic: &str, event: &str) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let reference = self.send(None, "phoenix", "heartbeat", json!({})).await;
        self.reply(&reference).await;
        assert!(
            !self.pending.iter().any(|f| f[2] == topic && f[3] == event),
            "unexpected {event} on {topic}: {:?}",
            self.pending
        );
    }
}

async fn start() -> (Running, Rest) {
    start_with(Config::default()).await
}

async fn start_with(config: Config) -> (Running, Rest) {
    let running = Emulator::new(config).bind("127.0.0.1:0").await.unwrap();
    let rest = Rest::new(&running);
    (running, rest)
}

fn reason(reply: &Value) -> &str {
    assert_eq!(reply["status"], "error", "{reply}");
    reply["response"]["reason"].as_str().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn heartbeats_are_answered_and_bad_frames_do_not_break_the_socket() {
    let (running, rest) = start().await;
    let ada = rest.register("ada@example.com").await;
    let mut socket = Phoenix::connect(&running, &ada.token).await;

    let reference = socket.send(None, "phoenix", "heartbeat", json!({})).await;
    let frame = socket
        .expect("heartbeat reply", |f| f[1] == reference.as_str())
        .await;
    assert_eq!(
        frame,
        json!([null, reference, "phoenix", "phx_reply", { "status": "ok", "response": {} }])
    );

    // Not JSON, not an array, a short array, a binary frame: ignored.
    socket.send_raw("not json").await;
    socket.send_raw(r#"{"topic":"phoenix"}"#).await;
    socket.send_raw(r#"[null, "9", "phoenix"]"#).await;
    socket
        .ws
        .send(Message::binary(vec![1, 2, 3]))
        .await
        .unwrap();
    // A payload that is not an object: an error reply.
    let (join_ref, _) = socket.join_ok(&format!("user:{}", ada.id), json!({})).await;
    let topic = format!("user:{}", ada.id);
    let reply = socket
        .call(&join_ref, &topic, "update_presence", json!("busy"))
        .await;
    assert_eq!(reason(&reply), "invalid_params");
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "update_presence",
            json!({ "status": "asleep" }),
        )
        .await;
    assert_eq!(reason(&reply), "invalid_params");
    let reply = socket
        .call(&join_ref, "phoenix", "something", json!({}))
        .await;
    assert_eq!(reason(&reply), "unknown_event");

    let reference = socket.send(None, "phoenix", "heartbeat", json!({})).await;
    assert_eq!(socket.reply(&reference).await["status"], "ok");
}

#[tokio::test]
async fn the_upgrade_needs_a_valid_access_token() {
    let (running, rest) = start_with(Config {
        token_ttl: Duration::from_secs(1),
        ..Config::default()
    })
    .await;
    let ada = rest.register("ada@example.com").await;
    let http = reqwest::Client::new();
    let url = format!("{}/socket/websocket?vsn=2.0.0", running.url());

    for token in [None, Some("at_unknown"), Some("sk_test_emulator")] {
        let mut request = http.get(&url);
        if let Some(token) = token {
            request = request.query(&[("token", token)]);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401, "token {token:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["message"].is_string());
        assert_eq!(body["error"]["details"], json!({}));
    }
    // So does the WebSocket client.
    let refused = tokio_tungstenite::connect_async(socket_url(&running, "at_unknown")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 401)
        }
        other => panic!("expected a 401, got {other:?}"),
    }

    // `Authorization: Bearer` works as well as `token`.
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "{}?vsn=2.0.0",
            running.socket_url()
        ))
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", ada.token).parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.close(None).await.unwrap();

    // A valid token without the upgrade headers: 400-something in the envelope, not 401.
    let response = http
        .get(&url)
        .query(&[("token", ada.token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    assert_ne!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["code"].is_string());

    // Other methods: the JSON 405; other versions of the protocol: 400.
    let response = http.post(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let response = http
        .get(format!("{}/socket/websocket", running.url()))
        .query(&[("vsn", "1.0.0"), ("token", ada.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);

    // Expired.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = http
        .get(&url)
        .query(&[("token", ada.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "the access token has expired");
    assert_eq!(running.emulator.stats().expired_tokens, 1);
}

#[tokio::test]
async fn joins_answer_the_spec_returns_or_refuse_with_a_reason() {
    let (running, rest) = start().await;
    let ada = rest.register("ada@example.com").await;
    let grace = rest.register("grace@example.com").await;
    let (team, thread) = rest.team_thread(&ada, &grace).await;
    let outsider = rest.register("eve@example.com").await;
    let mut socket = Phoenix::connect(&running, &ada.token).await;

    // Own user topic: the user and the unread count, then presence_state with ourselves.
    let topic = format!("user:{}", ada.id);
    let (join_ref, reply) = socket.join(&topic, json!({ "user_id": ada.id })).await;
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["response"]["user"]["id"], ada.id.as_str());
    assert_eq!(reply["response"]["user"]["email"], "ada@example.com");
    assert_eq!(reply["response"]["unread_notifications"], 0);
    let state = socket.push(&topic, "presence_state").await;
    assert_eq!(state[0], join_ref.as_str());
    let metas = &state[4][ada.id.as_str()]["metas"];
    assert_eq!(metas.as_array().unwrap().len(), 1);
    assert_eq!(metas[0]["status"], "online");
    assert!(metas[0]["online_at"].is_string());

    // Presence updates answer the status.
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "update_presence",
            json!({ "status": "away" }),
        )
        .await;
    assert_eq!(
        reply,
        json!({ "status": "ok", "response": { "status": "away" } })
    );
    let diff = socket.push(&topic, "presence_diff").await;
    assert_eq!(
        diff[4]["joins"][ada.id.as_str()]["metas"][0]["status"],
        "away"
    );
    assert_eq!(
        diff[4]["leaves"][ada.id.as_str()]["metas"][0]["status"],
        "online"
    );
    let reply = socket
        .call(&join_ref, &topic, "mark_notifications_read", json!({}))
        .await;
    assert_eq!(
        reply["response"],
        json!({ "success": true, "unread_notifications": 0 })
    );

    // Someone else's user topic.
    let (_, reply) = socket.join(&format!("user:{}", grace.id), json!({})).await;
    assert_eq!(reason(&reply), "unauthorized");
    // A team: members only; unknown teams are not found.
    let (_, reply) = socket.join_ok(&format!("team:{team}"), json!({})).await;
    assert_eq!(reply["team"]["id"], team.as_str());
    assert_eq!(reply["team"]["role"], "owner");
    assert_eq!(reply["team"]["member_count"], 2);
    let (_, reply) = socket.join("team:team_999999", json!({})).await;
    assert_eq!(reason(&reply), "not_found");
    let mut eve = Phoenix::connect(&running, &outsider.token).await;
    let (_, reply) = eve.join(&format!("team:{team}"), json!({})).await;
    assert_eq!(reason(&reply), "unauthorized");
    let (_, reply) = eve.join(&format!("thread:{thread}"), json!({})).await;
    assert_eq!(reason(&reply), "unauthorized");
    // Threads: unknown, bad params, a param contradicting the topic.
    let (_, reply) = socket.join("thread:thr_999999", json!({})).await;
    assert_eq!(reason(&reply), "not_found");
    let (_, reply) = socket
        .join(&format!("thread:{thread}"), json!({ "limit": 0 }))
        .await;
    assert_eq!(reason(&reply), "invalid_params");
    let (_, reply) = socket
        .join(
            &format!("thread:{thread}"),
            json!({ "thread_id": "thr_other" }),
        )
        .await;
    assert_eq!(reason(&reply), "invalid_params");
    // Topics outside the spec.
    for topic in ["room:lobby", "user:", "lobby"] {
        let (_, reply) = socket.join(topic, json!({})).await;
        assert_eq!(reason(&reply), "unknown_topic", "{topic}");
    }
    // Messages to topics not joined, unknown events.
    let reply = socket
        .call(
            "1",
            &format!("thread:{thread}"),
            "typing",
            json!({ "typing": true }),
        )
        .await;
    assert_eq!(reason(&reply), "not_joined");
    let reply = socket.call(&join_ref, &topic, "typing", json!({})).await;
    assert_eq!(reason(&reply), "unknown_event");
}

#[tokio::test]
async fn a_message_posted_over_rest_is_pushed_to_the_thread_sockets() {
    let (running, rest) = start().await;
    let ada = rest.register("ada@example.com").await;
    let grace = rest.register("grace@example.com").await;
    let (team, thread) = rest.team_thread(&ada, &grace).await;
    let path = format!("/api/v2/teams/{team}/threads/{thread}/messages");
    let first = rest.post(&ada, &path, json!({ "content": "first" })).await;

    let mut socket = Phoenix::connect(&running, &grace.token).await;
    let topic = format!("thread:{thread}");
    let (join_ref, reply) = socket.join_ok(&topic, json!({ "limit": 10 })).await;
    assert_eq!(reply["thread"]["id"], thread.as_str());
    assert_eq!(reply["messages"]["data"][0]["id"], first["id"]);
    assert_eq!(reply["messages"]["has_more"], false);

    let posted = rest
        .post(&ada, &path, json!({ "content": "hello over REST" }))
        .await;
    let push = socket.push(&topic, "message_created").await;
    assert_eq!(push[0], join_ref.as_str());
    assert_eq!(push[1], Value::Null);
    assert_eq!(push[4], posted);
    assert_eq!(push[4]["content"], "hello over REST");
    assert_eq!(push[4]["user"], ada.id.as_str());
    assert_eq!(push[4]["thread"], thread.as_str());

    // An idempotent retry is not a new message: no second push.
    let keyed = json!({ "content": "once", "idempotency_key": "k1" });
    rest.post(&ada, &path, keyed.clone()).await;
    socket.push(&topic, "message_created").await;
    rest.post(&ada, &path, keyed).await;
    socket.assert_no_push(&topic, "message_created").await;

    // User threads too.
    let user_thread = rest
        .post(
            &ada,
            &format!("/api/v2/users/{}/threads", ada.id),
            json!({}),
        )
        .await;
    let user_thread = user_thread["id"].as_str().unwrap();
    let mut own = Phoenix::connect(&running, &ada.token).await;
    let own_topic = format!("thread:{user_thread}");
    own.join_ok(&own_topic, json!({})).await;
    rest.post(
        &ada,
        &format!("/api/v2/users/{}/threads/{user_thread}/messages", ada.id),
        json!({ "content": "note to self" }),
    )
    .await;
    let push = own.push(&own_topic, "message_created").await;
    assert_eq!(push[4]["content"], "note to self");

    // The channel's own messages.
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "post_message",
            json!({ "content": "from the socket" }),
        )
        .await;
    assert_eq!(reply["status"], "ok", "{reply}");
    let message = reply["response"]["message"].clone();
    assert_eq!(message["user"], grace.id.as_str());
    assert_eq!(socket.push(&topic, "message_created").await[4], message);
    let listed = rest.get(&ada, &path).await;
    assert_eq!(listed["data"][0], message);
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "post_message",
            json!({ "text": "wrong field" }),
        )
        .await;
    assert_eq!(reason(&reply), "invalid_params");

    let reply = socket
        .call(
            &join_ref,
            &topic,
            "load_more_messages",
            json!({ "limit": 2 }),
        )
        .await;
    let page = &reply["response"];
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["id"], message["id"]);
    assert_eq!(page["has_more"], true);
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "load_more_messages",
            json!({ "before_cursor": page["before_cursor"] }),
        )
        .await;
    assert_eq!(reply["response"]["data"].as_array().unwrap().len(), 2);

    // Read up to the first message: the later messages of others are unread.
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "mark_read",
            json!({ "message_id": first["id"] }),
        )
        .await;
    assert_eq!(
        reply["response"],
        json!({ "success": true, "unread_count": 2 })
    );
    let reply = socket
        .call(
            &join_ref,
            &topic,
            "mark_read",
            json!({ "message_id": "msg_999999" }),
        )
        .await;
    assert_eq!(reason(&reply), "not_found");
}

#[tokio::test]
async fn typing_and_presence_reach_the_other_sockets_and_leave_closes() {
    let (running, rest) = start().await;
    let ada = rest.register("ada@example.com").await;
    let grace = rest.register("grace@example.com").await;
    let (_, thread) = rest.team_thread(&ada, &grace).await;
    let topic = format!("thread:{thread}");

    let mut a = Phoenix::connect(&running, &ada.token).await;
    let (a_ref, _) = a.join_ok(&topic, json!({})).await;
    let mut g = Phoenix::connect(&running, &grace.token).await;
    let (g_ref, _) = g.join(&topic, json!({})).await;
    // Grace sees both in the state; Ada sees Grace join.
    let state = g.push(&topic, "presence_state").await;
    assert!(state[4][ada.id.as_str()]["metas"].is_array());
    assert!(state[4][grace.id.as_str()]["metas"].is_array());
    let diff = a.push(&topic, "presence_diff").await;
    assert_eq!(diff[0], a_ref.as_str());
    assert!(diff[4]["joins"][grace.id.as_str()]["metas"][0]["online_at"].is_string());
    assert_eq!(diff[4]["leaves"], json!({}));

    // Grace types: Ada hears it, Grace does not.
    let reply = g
        .call(&g_ref, &topic, "typing", json!({ "typing": true }))
        .await;
    assert_eq!(
        reply,
        json!({ "status": "ok", "response": { "success": true } })
    );
    let started = a.push(&topic, "typing_started").await;
    assert_eq!(
        started[4],
        json!({ "thread": thread, "user": grace.id, "agent": null })
    );
    g.assert_no_push(&topic, "typing_started").await;
    g.call(&g_ref, &topic, "typing", json!({ "typing": false }))
        .await;
    let stopped = a.push(&topic, "typing_stopped").await;
    assert_eq!(stopped[4]["user"], grace.id.as_str());
    g.assert_no_push(&topic, "typing_stopped").await;
    let reply = g
        .call(&g_ref, &topic, "typing", json!({ "typing": "yes" }))
        .await;
    assert_eq!(reason(&reply), "invalid_params");

    // Ada types, then leaves while typing: Grace sees started, stopped, and the presence leave.
    a.call(&a_ref, &topic, "typing", json!({ "typing": true }))
        .await;
    assert_eq!(
        g.push(&topic, "typing_started").await[4]["user"],
        ada.id.as_str()
    );
    let reference = a.send(Some(&a_ref), &topic, "phx_leave", json!({})).await;
    assert_eq!(
        a.reply(&reference).await,
        json!({ "status": "ok", "response": {} })
    );
    let close = a.push(&topic, "phx_close").await;
    assert_eq!(close, json!([a_ref, null, topic, "phx_close", {}]));
    assert_eq!(
        g.push(&topic, "typing_stopped").await[4]["user"],
        ada.id.as_str()
    );
    let diff = g.push(&topic, "presence_diff").await;
    assert!(diff[4]["leaves"][ada.id.as_str()]["metas"].is_array());
    assert_eq!(diff[4]["joins"], json!({}));
    // Left: messages answer not_joined, REST messages no longer reach Ada.
    let reply = a
        .call(&a_ref, &topic, "typing", json!({ "typing": true }))
        .await;
    assert_eq!(reason(&reply), "not_joined");
    rest.post(
        &ada,
        &format!("/api/v2/teams/{}/threads/{thread}/messages", {
            let t = rest.get(&ada, "/api/v2/teams").await;
            t["data"][0]["id"].as_str().unwrap().to_owned()
        }),
        json!({ "content": "after leaving" }),
    )
    .await;
    assert_eq!(
        g.push(&topic, "message_created").await[4]["content"],
        "after leaving"
    );
    a.assert_no_push(&topic, "message_created").await;

    // Closing a socket leaves too.
    let (a_ref, _) = a.join_ok(&topic, json!({})).await;
    assert!(g.push(&topic, "presence_diff").await[4]["joins"][ada.id.as_str()].is_object());
    let _ = a_ref;
    a.ws.close(None).await.unwrap();
    let diff = g.push(&topic, "presence_diff").await;
    assert!(diff[4]["leaves"][ada.id.as_str()].is_object());
}

#[tokio::test]
async fn rest_writes_push_to_team_and_user_topics_and_the_emulator_can_push() {
    let (running, rest) = start().await;
    let ada = rest.register("ada@example.com").await;
    let grace = rest.register("grace@example.com").await;
    let (team, _) = rest.team_thread(&ada, &grace).await;
    let mut socket = Phoenix::connect(&running, &ada.token).await;
    let team_topic = format!("team:{team}");
    let user_topic = format!("user:{}", ada.id);
    socket.join_ok(&team_topic, json!({})).await;
    socket.join_ok(&user_topic, json!({})).await;

    let thread = rest
        .post(
            &ada,
            &format!("/api/v2/teams/{team}/threads"),
            json!({ "title": "Second" }),
        )
        .await;
    assert_eq!(socket.push(&team_topic, "thread_created").await[4], thread);
    // Ada takes part in the team thread: her user topic hears of it too.
    assert_eq!(socket.push(&user_topic, "thread_created").await[4], thread);
    let mine = rest
        .post(
            &ada,
            &format!("/api/v2/users/{}/threads", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(socket.push(&user_topic, "thread_created").await[4], mine);

    let reached = running.emulator.push(
        &user_topic,
        "direct_event",
        json!({ "type": "ping", "payload": {} }),
    );
    assert_eq!(reached, 1);
    let push = socket.push(&user_topic, "direct_event").await;
    assert_eq!(push[4]["type"], "ping");
    assert_eq!(running.emulator.push("user:usr_999999", "x", json!({})), 0);
}

#[tokio::test]
async fn typing_stops_by_itself_after_the_ttl() {
    let (running, rest) = start_with(Config {
        typing_ttl: Duration::from_millis(600),
        ..Config::default()
    })
    .await;
    let ada = rest.register("ada@example.com").await;
    let grace = rest.register("grace@example.com").await;
    let (_, thread) = rest.team_thread(&ada, &grace).await;
    let topic = format!("thread:{thread}");
    let mut a = Phoenix::connect(&running, &ada.token).await;
    a.join_ok(&topic, json!({})).await;
    let mut g = Phoenix::connect(&running, &grace.token).await;
    let (g_ref, _) = g.join_ok(&topic, json!({})).await;

    g.call(&g_ref, &topic, "typing", json!({ "typing": true }))
        .await;
    a.push(&topic, "typing_started").await;
    // A second `typing: true` within the TTL re-arms it without a second `typing_started`.
    // The first timer (600 ms) passes at about 700 ms, ignored; the second ends at 1000 ms.
    tokio::time::sleep(Duration::from_millis(400)).await;
    g.call(&g_ref, &topic, "typing", json!({ "typing": true }))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.assert_no_push(&topic, "typing_stopped").await;
    let stopped = a.push(&topic, "typing_stopped").await;
    assert_eq!(
        stopped[4],
        json!({ "thread": thread, "user": grace.id, "agent": null })
    );
    assert!(!a.pending.iter().any(|f| f[3] == "typing_started"));
}
