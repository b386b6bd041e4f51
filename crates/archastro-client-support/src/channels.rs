//! Phoenix Channels (protocol v2) over one WebSocket: the transport of the API's realtime
//! channels (`x-channels`). The generated `channels` module wraps it in one typed facade per
//! channel; this module knows nothing of the spec.
//!
//! Frames are JSON arrays `[join_ref, ref, topic, event, payload]` on `/socket/websocket`
//! (`?vsn=2.0.0&token=ACCESS_TOKEN`). One background task owns the connection and:
//!
//! - matches every reply to its push by `ref`, failing the push with
//!   [`Error::ReplyTimeout`] when no reply comes within [`SocketOptions::reply_timeout`];
//! - sends a heartbeat on the `phoenix` topic every [`SocketOptions::heartbeat_interval`]; a
//!   heartbeat still unanswered at the next one means the connection is dead;
//! - reconnects after a lost connection with exponential backoff and jitter, with the current
//!   access token, then rejoins every joined channel with its join parameters. The backoff
//!   starts over only after a connection stayed up [`SocketOptions::reconnect_reset_after`]:
//!   a server that accepts and then drops every connection sees ever longer waits. A token the
//!   server refuses (401) is refreshed once; it is not refreshed again until a connection has
//!   succeeded, so a server that refuses every token does not consume a refresh per attempt;
//! - buffers pushes made while the socket reconnects or a channel rejoins (at most
//!   [`SocketOptions::buffer_limit`]; beyond it a push fails at once with
//!   [`Error::BufferFull`]) and sends them, in order, once their channel has rejoined;
//! - delivers the server's pushes of a channel, in arrival order, to its [`Channel::events`]
//!   stream, through a queue of at most [`SocketOptions::event_queue_limit`] pushes. When the
//!   reader falls that far behind, newer pushes are dropped (not the queued ones, so what is
//!   read stays in order) and counted by [`Channel::dropped_events`]; the final error of a
//!   stream always has room.
//!
//! A refused join is [`Error::JoinRefused`] with the server's reason; a push the server
//! answers with an error is [`Error::ChannelReply`]; a push in flight when the connection
//! dropped is [`Error::ChannelDisconnected`] (it may or may not have been processed); after
//! [`Socket::close`], or once reconnecting gives up, everything fails with
//! [`Error::SocketClosed`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures::stream::{self, BoxStream, SplitSink};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::Message;

pub use super::channel_connection::TokenSource;
use super::channel_connection::{Connector, Ws};
use super::error::Error;
use super::runtime::Runtime;

type Sink = SplitSink<Ws, Message>;

/// The protocol version sent as `vsn`.
pub const PROTOCOL_VERSION: &str = "2.0.0";
/// The socket's path under the API's base URL.
pub const SOCKET_PATH: &str = "/socket/websocket";

/// How a [`Socket`] connects and behaves.
#[derive(Debug, Clone)]
pub struct SocketOptions {
    /// The WebSocket URL (`wss://host/socket/websocket`); `None`: derived from the client's
    /// base URL (`https` becomes `wss`, `http` becomes `ws`, plus [`SOCKET_PATH`]).
    pub url: Option<String>,
    /// How often a heartbeat is sent (default 30 s).
    pub heartbeat_interval: Duration,
    /// How long a join, push or leave waits for its reply (default 10 s).
    pub reply_timeout: Duration,
    /// How long one connection attempt may take (default 10 s).
    pub connect_timeout: Duration,
    /// The first reconnect delay; each further one doubles up to `reconnect_max_delay`, with
    /// jitter (default 100 ms).
    pub reconnect_base_delay: Duration,
    /// The longest reconnect delay (default 10 s).
    pub reconnect_max_delay: Duration,
    /// Reconnect attempts in a row before the socket gives up (`None`: never gives up).
    pub max_reconnect_attempts: Option<u32>,
    /// Pushes held while reconnecting or rejoining (default 100).
    pub buffer_limit: usize,
    /// How long a connection must stay up for the reconnect backoff to start over
    /// (default 30 s).
    pub reconnect_reset_after: Duration,
    /// Server pushes a channel's events queue holds for a slow reader (default 1 000); see
    /// [`Channel::dropped_events`].
    pub event_queue_limit: usize,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            url: None,
            heartbeat_interval: Duration::from_secs(30),
            reply_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            reconnect_base_delay: Duration::from_millis(100),
            reconnect_max_delay: Duration::from_secs(10),
            max_reconnect_attempts: None,
            buffer_limit: 100,
            reconnect_reset_after: Duration::from_secs(30),
            event_queue_limit: 1000,
        }
    }
}

impl SocketOptions {
    /// The delay before reconnect attempt `attempt` (0-based): exponential with jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .reconnect_base_delay
            .saturating_mul(1u32 << attempt.min(16));
        exp.min(self.reconnect_max_delay)
            .mul_f64(0.5 + rand::random::<f64>() / 2.0)
    }
}

/// A server push on a joined channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub event: String,
    pub payload: Value,
}

/// The events of one channel: its pushes in arrival order. It ends when the channel is left
/// or closed by the server, or the socket closes; an item is an error when a rejoin was
/// refused or the socket gave up reconnecting (the stream ends after it).
pub type Events = BoxStream<'static, Result<Push, Error>>;

/// A connection to the API's channels. Cheap to clone; the connection closes when
/// [`Socket::close`] is called or the socket and all its channels are dropped.
#[derive(Clone)]
pub struct Socket {
    commands: mpsc::UnboundedSender<Command>,
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("open", &!self.commands.is_closed())
            .finish()
    }
}

impl Socket {
    /// Connects with the runtime's access token; the URL comes from `options.url` or the
    /// runtime's base URL. Fails if the first connection fails (a refused token is the API's
    /// error, e.g. a 401 [`Error::Api`]); later losses are reconnected.
    pub async fn connect(runtime: &Runtime, options: SocketOptions) -> Result<Socket, Error> {
        let url = match &options.url {
            Some(url) => url.clone(),
            None => socket_url(runtime.base_url())?,
        };
        Self::connect_with(url, TokenSource::Runtime(runtime.clone()), options).await
    }

    /// Connects to `url` with the access token `tokens` gives.
    pub async fn connect_with(
        url: String,
        tokens: TokenSource,
        options: SocketOptions,
    ) -> Result<Socket, Error> {
        let mut connector = Connector::new(&url, tokens, options)?;
        let first = connector.connect().await?;
        let (commands, receiver) = mpsc::unbounded_channel();
        let driver = Driver {
            connector,
            commands: receiver,
            channels: BTreeMap::new(),
            pending: HashMap::new(),
            buffer: VecDeque::new(),
            next_ref: 0,
        };
        tokio::spawn(driver.run(first));
        Ok(Socket { commands })
    }

    /// Joins `topic` with `params`; returns the channel and the server's join reply.
    pub async fn join(&self, topic: String, params: Value) -> Result<(Channel, Value), Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Join {
            topic: topic.clone(),
            params,
            reply,
        })?;
        let joined = answer.await.map_err(|_| Error::SocketClosed)??;
        Ok((
            Channel {
                topic,
                commands: self.commands.clone(),
                events: Mutex::new(Some(joined.events)),
                dropped: joined.dropped,
                left: AtomicBool::new(false),
            },
            joined.response,
        ))
    }

    /// Closes the connection: pending pushes fail with [`Error::SocketClosed`], every
    /// channel's events end, and no reconnect follows.
    pub async fn close(&self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Close { reply }).is_ok() {
            let _ = done.await;
        }
    }

    fn send(&self, command: Command) -> Result<(), Error> {
        self.commands.send(command).map_err(|_| Error::SocketClosed)
    }
}

/// One joined channel: push messages to it, read its events, leave it. Dropping it leaves
/// the channel.
pub struct Channel {
    topic: String,
    commands: mpsc::UnboundedSender<Command>,
    events: Mutex<Option<mpsc::Receiver<Result<Push, Error>>>>,
    dropped: Arc<AtomicU64>,
    left: AtomicBool,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("topic", &self.topic)
            .finish()
    }
}

impl Channel {
    /// The topic this channel joined.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Sends `event` with `payload` and waits for the server's reply.
    pub async fn push(&self, event: &str, payload: Value) -> Result<Value, Error> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Push {
                topic: self.topic.clone(),
                event: event.to_owned(),
                payload,
                reply,
            })
            .map_err(|_| Error::SocketClosed)?;
        answer.await.map_err(|_| Error::SocketClosed)?
    }

    /// Server pushes dropped because the events queue was full (see
    /// [`SocketOptions::event_queue_limit`]).
    pub fn dropped_events(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The channel's pushes, in arrival order. A channel has one events stream: the first
    /// call takes it, later calls get a stream holding only an error.
    pub fn events(&self) -> Events {
        let taken = self.events.lock().ok().and_then(|mut e| e.take());
        match taken {
            Some(mut receiver) => stream::poll_fn(move |cx| receiver.poll_recv(cx)).boxed(),
            None => stream::iter([Err(Error::InvalidRequest(format!(
                "the events of `{}` were already taken",
                self.topic
            )))])
            .boxed(),
        }
    }

    /// Leaves the channel and waits for the server to confirm.
    pub async fn leave(self) -> Result<(), Error> {
        self.left.store(true, Ordering::SeqCst);
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Leave {
                topic: self.topic.clone(),
                reply: Some(reply),
            })
            .map_err(|_| Error::SocketClosed)?;
        answer.await.map_err(|_| Error::SocketClosed)?
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        if !self.left.swap(true, Ordering::SeqCst) {
            let _ = self.commands.send(Command::Leave {
                topic: self.topic.clone(),
                reply: None,
            });
        }
    }
}

/// `pattern` (`thread:{thread_id}`) with every `{name}` replaced by the string or number
/// `params[name]`. A missing, empty or structured value is an error: a topic is never built
/// from something the caller did not mean.
pub fn topic(pattern: &str, params: &Value) -> Result<String, Error> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            return Err(Error::InvalidRequest(format!(
                "topic pattern `{pattern}` is not closed"
            )));
        };
        let name = &rest[start + 1..start + len];
        let value = match params.get(name) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(Error::InvalidRequest(format!(
                    "topic `{pattern}` needs a non-empty `{name}`"
                )));
            }
        };
        out.push_str(&value);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The socket URL of an API base URL: `https://api.archastro.ai` gives
/// `wss://api.archastro.ai/socket/websocket`.
pub fn socket_url(base_url: &str) -> Result<String, Error> {
    let mut url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
    let scheme = match url.scheme() {
        "https" => "wss",
        "http" => "ws",
        other => return Err(Error::Config(format!("base URL scheme `{other}`"))),
    };
    url.set_scheme(scheme)
        .map_err(|()| Error::Config(format!("base URL `{base_url}`")))?;
    let path = format!("{}{SOCKET_PATH}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url.to_string())
}

// --- the background task ----------------------------------------------------------------------

enum Command {
    Join {
        topic: String,
        params: Value,
        reply: oneshot::Sender<Result<Joined, Error>>,
    },
    Push {
        topic: String,
        event: String,
        payload: Value,
        reply: oneshot::Sender<Result<Value, Error>>,
    },
    Leave {
        topic: String,
        reply: Option<oneshot::Sender<Result<(), Error>>>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

struct Joined {
    response: Value,
    events: mpsc::Receiver<Result<Push, Error>>,
    dropped: Arc<AtomicU64>,
}

/// A channel the socket keeps joined.
struct ChannelState {
    params: Value,
    /// The ref of the join currently sent for it (`None` before the first is sent).
    join_ref: Option<String>,
    joined: bool,
    events: mpsc::Sender<Result<Push, Error>>,
    /// Pushes dropped on a full queue (shared with the [`Channel`]).
    dropped: Arc<AtomicU64>,
    /// The caller of the first join and the receiver it gets, until the server answers.
    first_join: Option<FirstJoin>,
}

type FirstJoin = (
    oneshot::Sender<Result<Joined, Error>>,
    mpsc::Receiver<Result<Push, Error>>,
);

/// What a sent frame waits for.
enum Awaiting {
    Join {
        topic: String,
    },
    Push {
        topic: String,
        event: String,
        reply: oneshot::Sender<Result<Value, Error>>,
    },
    Leave {
        reply: Option<oneshot::Sender<Result<(), Error>>>,
    },
}

struct Pending {
    awaiting: Awaiting,
    deadline: Instant,
}

/// A push waiting for its channel to be joined.
struct Buffered {
    topic: String,
    event: String,
    payload: Value,
    reply: oneshot::Sender<Result<Value, Error>>,
    deadline: Instant,
}

/// The connection failed while the driver answered a frame.
struct Lost;

/// Why a connection ended.
enum Ended {
    /// Closed on purpose: no reconnect.
    Closed,
    /// Lost: reconnect.
    Lost,
}

struct Driver {
    connector: Connector,
    commands: mpsc::UnboundedReceiver<Command>,
    channels: BTreeMap<String, ChannelState>,
    pending: HashMap<String, Pending>,
    buffer: VecDeque<Buffered>,
    next_ref: u64,
}

impl Driver {
    async fn run(mut self, first: Ws) {
        let mut connection = Some(first);
        let mut attempt = 0u32;
        let gave_up = loop {
            if let Some(ws) = connection.take() {
                let connected = Instant::now();
                if let Ended::Closed = self.serve(ws).await {
                    break false;
                }
                if connected.elapsed() >= self.connector.options.reconnect_reset_after {
                    attempt = 0;
                }
            }
            if self
                .connector
                .options
                .max_reconnect_attempts
                .is_some_and(|max| attempt >= max)
            {
                break true;
            }
            let delay = self.connector.options.backoff(attempt);
            attempt = attempt.saturating_add(1);
            if let Ended::Closed = self.wait_disconnected(delay).await {
                break false;
            }
            match self.connector.connect().await {
                Ok(ws) => connection = Some(ws),
                Err(_) => continue,
            }
        };
        self.shut_down(gave_up);
    }

    fn next_ref(&mut self) -> String {
        self.next_ref += 1;
        self.next_ref.to_string()
    }

    /// Runs one connection until it is lost or closed.
    async fn serve(&mut self, ws: Ws) -> Ended {
        let (mut sink, mut source) = ws.split();
        // Rejoin every channel (or send the first join of those joined while disconnected).
        let topics: Vec<String> = self.channels.keys().cloned().collect();
        for topic in topics {
            if self.send_join(&mut sink, &topic).await.is_err() {
                self.lose_connection();
                return Ended::Lost;
            }
        }
        let interval = self.connector.options.heartbeat_interval;
        let mut heartbeat = tokio::time::interval_at(Instant::now() + interval, interval);
        let mut heartbeat_ref: Option<String> = None;
        loop {
            let deadline = self.next_deadline();
            let ok = tokio::select! {
                command = self.commands.recv() => match command {
                    None => {
                        let _ = sink.send(Message::Close(None)).await;
                        return Ended::Closed;
                    }
                    Some(Command::Close { reply }) => {
                        let _ = sink.send(Message::Close(None)).await;
                        let _ = reply.send(());
                        return Ended::Closed;
                    }
                    Some(command) => self.command_connected(&mut sink, command).await,
                },
                message = source.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        match self.on_frame(&mut sink, text.as_str()).await {
                            Ok(answered) => {
                                if answered.is_some() && answered == heartbeat_ref {
                                    heartbeat_ref = None;
                                }
                                true
                            }
                            Err(Lost) => false,
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
                    Some(Ok(_)) => true,
                },
                _ = heartbeat.tick() => {
                    if heartbeat_ref.is_some() {
                        // The previous heartbeat was never answered: the connection is dead.
                        false
                    } else {
                        let r = self.next_ref();
                        heartbeat_ref = Some(r.clone());
                        send_frame(&mut sink, None, Some(&r), "phoenix", "heartbeat", json!({})).await.is_ok()
                    }
                },
                _ = sleep_until(deadline) => {
                    self.expire(&mut sink).await
                },
            };
            if !ok {
                self.lose_connection();
                return Ended::Lost;
            }
        }
    }

    fn next_deadline(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(3600);
        self.pending
            .values()
            .map(|p| p.deadline)
            .chain(self.buffer.iter().map(|b| b.deadline))
            .min()
            .unwrap_or(far)
    }

    /// Sends the join of `topic` with a new ref.
    async fn send_join(&mut self, sink: &mut Sink, topic: &str) -> Result<(), ()> {
        let r = self.next_ref();
        let Some(state) = self.channels.get_mut(topic) else {
            return Ok(());
        };
        state.join_ref = Some(r.clone());
        state.joined = false;
        let params = state.params.clone();
        self.pending.insert(
            r.clone(),
            Pending {
                awaiting: Awaiting::Join {
                    topic: topic.to_owned(),
                },
                deadline: Instant::now() + self.connector.options.reply_timeout,
            },
        );
        send_frame(sink, Some(&r), Some(&r), topic, "phx_join", params).await
    }

    /// Handles a command while connected; `false` when the connection failed.
    async fn command_connected(&mut self, sink: &mut Sink, command: Command) -> bool {
        match command {
            Command::Join {
                topic,
                params,
                reply,
            } => {
                if self.add_channel(&topic, params, reply) {
                    return self.send_join(sink, &topic).await.is_ok();
                }
                true
            }
            Command::Push {
                topic,
                event,
                payload,
                reply,
            } => {
                let deadline = Instant::now() + self.connector.options.reply_timeout;
                match self.channels.get(&topic) {
                    None => {
                        let _ = reply.send(Err(not_joined(&topic)));
                        true
                    }
                    Some(state) if state.joined => {
                        let join_ref = state.join_ref.clone();
                        self.send_push(sink, join_ref, topic, event, payload, reply, deadline)
                            .await
                    }
                    Some(_) => {
                        self.buffer_push(topic, event, payload, reply, deadline);
                        true
                    }
                }
            }
            Command::Leave { topic, reply } => {
                let Some(state) = self.channels.remove(&topic) else {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(()));
                    }
                    return true;
                };
                self.fail_buffered(&topic, || Error::SocketClosed);
                if !state.joined {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(()));
                    }
                    return true;
                }
                let r = self.next_ref();
                self.pending.insert(
                    r.clone(),
                    Pending {
                        awaiting: Awaiting::Leave { reply },
                        deadline: Instant::now() + self.connector.options.reply_timeout,
                    },
                );
                send_frame(
                    sink,
                    state.join_ref.as_deref(),
                    Some(&r),
                    &topic,
                    "phx_leave",
                    json!({}),
                )
                .await
                .is_ok()
            }
            Command::Close { .. } => unreachable!("handled by serve"),
        }
    }

    /// Handles a command while disconnected; `Closed` when the socket is to close.
    fn command_disconnected(&mut self, command: Command) -> Option<Ended> {
        match command {
            Command::Join {
                topic,
                params,
                reply,
            } => {
                // Sent once connected.
                self.add_channel(&topic, params, reply);
            }
            Command::Push {
                topic,
                event,
                payload,
                reply,
            } => {
                if self.channels.contains_key(&topic) {
                    let deadline = Instant::now() + self.connector.options.reply_timeout;
                    self.buffer_push(topic, event, payload, reply, deadline);
                } else {
                    let _ = reply.send(Err(not_joined(&topic)));
                }
            }
            Command::Leave { topic, reply } => {
                self.channels.remove(&topic);
                self.fail_buffered(&topic, || Error::SocketClosed);
                if let Some(reply) = reply {
                    let _ = reply.send(Ok(()));
                }
            }
            Command::Close { reply } => {
                let _ = reply.send(());
                return Some(Ended::Closed);
            }
        }
        None
    }

    /// Registers a new channel; `false` (and the caller answered) when already joined.
    fn add_channel(
        &mut self,
        topic: &str,
        params: Value,
        reply: oneshot::Sender<Result<Joined, Error>>,
    ) -> bool {
        if self.channels.contains_key(topic) {
            let _ = reply.send(Err(Error::InvalidRequest(format!(
                "`{topic}` is already joined on this socket"
            ))));
            return false;
        }
        // One slot more than the limit: the stream's final error always fits.
        let (events, receiver) =
            mpsc::channel(self.connector.options.event_queue_limit.saturating_add(1));
        self.channels.insert(
            topic.to_owned(),
            ChannelState {
                params,
                join_ref: None,
                joined: false,
                events,
                dropped: Arc::default(),
                first_join: Some((reply, receiver)),
            },
        );
        true
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_push(
        &mut self,
        sink: &mut Sink,
        join_ref: Option<String>,
        topic: String,
        event: String,
        payload: Value,
        reply: oneshot::Sender<Result<Value, Error>>,
        deadline: Instant,
    ) -> bool {
        let r = self.next_ref();
        let sent = send_frame(sink, join_ref.as_deref(), Some(&r), &topic, &event, payload).await;
        self.pending.insert(
            r,
            Pending {
                awaiting: Awaiting::Push {
                    topic,
                    event,
                    reply,
                },
                deadline,
            },
        );
        sent.is_ok()
    }

    fn buffer_push(
        &mut self,
        topic: String,
        event: String,
        payload: Value,
        reply: oneshot::Sender<Result<Value, Error>>,
        deadline: Instant,
    ) {
        if self.buffer.len() >= self.connector.options.buffer_limit {
            let _ = reply.send(Err(Error::BufferFull { topic, event }));
            return;
        }
        self.buffer.push_back(Buffered {
            topic,
            event,
            payload,
            reply,
            deadline,
        });
    }

    /// Sends the buffered pushes of `topic`, in order, now that it is joined.
    async fn flush(&mut self, sink: &mut Sink, topic: &str) -> bool {
        let join_ref = self.channels.get(topic).and_then(|s| s.join_ref.clone());
        let mine = self.take_buffered(|b| b.topic == topic);
        let mut ok = true;
        for b in mine {
            if ok {
                ok = self
                    .send_push(
                        sink,
                        join_ref.clone(),
                        b.topic,
                        b.event,
                        b.payload,
                        b.reply,
                        b.deadline,
                    )
                    .await;
            } else {
                self.buffer.push_back(b);
            }
        }
        ok
    }

    /// Removes the buffered pushes `which` selects, in order.
    fn take_buffered(&mut self, which: impl Fn(&Buffered) -> bool) -> VecDeque<Buffered> {
        let (taken, kept): (VecDeque<Buffered>, VecDeque<Buffered>) =
            std::mem::take(&mut self.buffer)
                .into_iter()
                .partition(which);
        self.buffer = kept;
        taken
    }

    /// Fails the buffered pushes whose reply timeout has passed.
    fn expire_buffered(&mut self) {
        let now = Instant::now();
        for b in self.take_buffered(|b| b.deadline <= now) {
            let _ = b.reply.send(Err(Error::ReplyTimeout {
                topic: b.topic,
                event: b.event,
            }));
        }
    }

    fn fail_buffered(&mut self, topic: &str, error: impl Fn() -> Error) {
        for b in self.take_buffered(|b| b.topic == topic) {
            let _ = b.reply.send(Err(error()));
        }
    }

    /// Handles one frame from the server. Returns the ref it answered, if it is a reply;
    /// [`Lost`] when the connection failed while answering it.
    async fn on_frame(&mut self, sink: &mut Sink, text: &str) -> Result<Option<String>, Lost> {
        let Ok(Value::Array(frame)) = serde_json::from_str::<Value>(text) else {
            return Ok(None); // not a Phoenix v2 frame: ignored
        };
        let [join_ref, r, topic, event, payload]: [Value; 5] = match frame.try_into() {
            Ok(parts) => parts,
            Err(_) => return Ok(None),
        };
        let (Some(topic), Some(event)) = (topic.as_str(), event.as_str()) else {
            return Ok(None);
        };
        let join_ref = join_ref.as_str();
        match event {
            "phx_reply" => {
                let Some(r) = r.as_str() else {
                    return Ok(None);
                };
                if self.on_reply(sink, r, payload).await {
                    Ok(Some(r.to_owned()))
                } else {
                    Err(Lost)
                }
            }
            "phx_close" => {
                if self.is_current(topic, join_ref) {
                    // Closed by the server: the events end, no rejoin.
                    self.channels.remove(topic);
                    self.fail_buffered(topic, || Error::SocketClosed);
                }
                Ok(None)
            }
            "phx_error" => {
                // The channel crashed on the server: join it again.
                if self.is_current(topic, join_ref) && self.send_join(sink, topic).await.is_err() {
                    return Err(Lost);
                }
                Ok(None)
            }
            _ => {
                if self.is_current(topic, join_ref)
                    && let Some(state) = self.channels.get(topic)
                {
                    if state.events.capacity() > 1 {
                        let _ = state.events.try_send(Ok(Push {
                            event: event.to_owned(),
                            payload,
                        }));
                    } else {
                        state.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(None)
            }
        }
    }

    /// Whether a frame of `topic` with `join_ref` belongs to the channel's current join.
    fn is_current(&self, topic: &str, join_ref: Option<&str>) -> bool {
        self.channels
            .get(topic)
            .is_some_and(|s| join_ref.is_none() || s.join_ref.as_deref() == join_ref)
    }

    /// Resolves what waited for reply `r` (a heartbeat's reply finds nothing: `serve` tracks
    /// it); `false` when the connection failed.
    async fn on_reply(&mut self, sink: &mut Sink, r: &str, payload: Value) -> bool {
        let Some(pending) = self.pending.remove(r) else {
            return true; // a late reply to something that already timed out
        };
        let ok = payload.get("status").and_then(Value::as_str) == Some("ok");
        let response = payload.get("response").cloned().unwrap_or(Value::Null);
        match pending.awaiting {
            Awaiting::Leave { reply } => {
                if let Some(reply) = reply {
                    let _ = reply.send(Ok(()));
                }
                true
            }
            Awaiting::Push {
                topic,
                event,
                reply,
            } => {
                let _ = reply.send(if ok {
                    Ok(response)
                } else {
                    Err(Error::ChannelReply {
                        topic,
                        event,
                        reason: reason_of(&response),
                        response,
                    })
                });
                true
            }
            Awaiting::Join { topic } => {
                let Some(state) = self.channels.get_mut(&topic) else {
                    return true; // left meanwhile
                };
                if state.join_ref.as_deref() != Some(r) {
                    return true; // a reply to an earlier join
                }
                if ok {
                    state.joined = true;
                    if let Some((waiter, events)) = state.first_join.take() {
                        let dropped = state.dropped.clone();
                        let _ = waiter.send(Ok(Joined {
                            response,
                            events,
                            dropped,
                        }));
                    }
                    self.flush(sink, &topic).await
                } else {
                    let state = self.channels.remove(&topic).expect("checked above");
                    let refused = Error::JoinRefused {
                        topic: topic.clone(),
                        reason: reason_of(&response),
                        response,
                    };
                    self.fail_buffered(&topic, || Error::SocketClosed);
                    match state.first_join {
                        Some((waiter, _)) => {
                            let _ = waiter.send(Err(refused));
                        }
                        None => {
                            let _ = state.events.try_send(Err(refused));
                        }
                    }
                    true
                }
            }
        }
    }

    /// Fails what waited past its deadline; `false` when the connection failed.
    async fn expire(&mut self, sink: &mut Sink) -> bool {
        let now = Instant::now();
        let expired: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(r, _)| r.clone())
            .collect();
        let mut rejoin = Vec::new();
        for r in expired {
            let Some(pending) = self.pending.remove(&r) else {
                continue;
            };
            match pending.awaiting {
                Awaiting::Push {
                    topic,
                    event,
                    reply,
                } => {
                    let _ = reply.send(Err(Error::ReplyTimeout { topic, event }));
                }
                Awaiting::Leave { reply } => {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(()));
                    }
                }
                Awaiting::Join { topic } => {
                    let first = self
                        .channels
                        .get_mut(&topic)
                        .and_then(|s| s.first_join.take());
                    match first {
                        Some((waiter, _)) => {
                            self.channels.remove(&topic);
                            let _ = waiter.send(Err(Error::ReplyTimeout {
                                topic,
                                event: "phx_join".to_owned(),
                            }));
                        }
                        // A rejoin that got no answer: try again.
                        None => rejoin.push(topic),
                    }
                }
            }
        }
        self.expire_buffered();
        for topic in rejoin {
            if self.send_join(sink, &topic).await.is_err() {
                return false;
            }
        }
        true
    }

    /// The connection dropped: in-flight pushes fail, every channel waits to be rejoined.
    fn lose_connection(&mut self) {
        for (_, pending) in self.pending.drain() {
            if let Awaiting::Push {
                topic,
                event,
                reply,
            } = pending.awaiting
            {
                let _ = reply.send(Err(Error::ChannelDisconnected { topic, event }));
            } else if let Awaiting::Leave { reply: Some(reply) } = pending.awaiting {
                let _ = reply.send(Ok(()));
            }
        }
        for state in self.channels.values_mut() {
            state.joined = false;
        }
    }

    /// Waits `delay` before reconnecting, answering commands meanwhile.
    async fn wait_disconnected(&mut self, delay: Duration) -> Ended {
        let until = Instant::now() + delay;
        loop {
            let deadline = self.next_deadline().min(until);
            tokio::select! {
                command = self.commands.recv() => match command {
                    None => return Ended::Closed,
                    Some(command) => {
                        if let Some(ended) = self.command_disconnected(command) {
                            return ended;
                        }
                    }
                },
                _ = sleep_until(deadline) => {
                    self.expire_buffered();
                    if Instant::now() >= until {
                        return Ended::Lost;
                    }
                }
            }
        }
    }

    /// The socket is done: everything waiting fails, every events stream ends (after an
    /// error if the socket gave up reconnecting).
    fn shut_down(&mut self, gave_up: bool) {
        self.lose_connection();
        for b in self.buffer.drain(..) {
            let _ = b.reply.send(Err(Error::SocketClosed));
        }
        for (_, state) in std::mem::take(&mut self.channels) {
            match state.first_join {
                Some((waiter, _)) => {
                    let _ = waiter.send(Err(Error::SocketClosed));
                }
                None if gave_up => {
                    let _ = state.events.try_send(Err(Error::SocketClosed));
                }
                None => {}
            }
        }
        // Answer commands already queued.
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::Join { reply, .. } => {
                    let _ = reply.send(Err(Error::SocketClosed));
                }
                Command::Push { reply, .. } => {
                    let _ = reply.send(Err(Error::SocketClosed));
                }
                Command::Leave { reply, .. } => {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(()));
                    }
                }
                Command::Close { reply } => {
                    let _ = reply.send(());
                }
            }
        }
    }
}

fn not_joined(topic: &str) -> Error {
    Error::InvalidRequest(format!("`{topic}` is not joined on this socket"))
}

/// The `reason` of an error reply, or its JSON.
fn reason_of(response: &Value) -> String {
    response
        .get("reason")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| response.to_string())
}

async fn send_frame(
    sink: &mut Sink,
    join_ref: Option<&str>,
    r: Option<&str>,
    topic: &str,
    event: &str,
    payload: Value,
) -> Result<(), ()> {
    let frame = json!([join_ref, r, topic, event, payload]).to_string();
    sink.send(Message::Text(frame.into())).await.map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::{TcpListener, TcpStream};
    use tokio_tungstenite::WebSocketStream;

    type ServerWs = WebSocketStream<TcpStream>;

    async fn accept(listener: &TcpListener) -> ServerWs {
        let (tcp, _) = listener.accept().await.unwrap();
        tokio_tungstenite::accept_async(tcp).await.unwrap()
    }

    /// Reads frames until `event` arrives; answers joins `ok` on the way. Returns the frame.
    async fn until(ws: &mut ServerWs, event: &str) -> Option<Vec<Value>> {
        while let Some(Ok(message)) = ws.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let frame: Vec<Value> = serde_json::from_str(text.as_str()).unwrap();
            if frame[3] == "phx_join" {
                let reply = json!([frame[0], frame[1], frame[2], "phx_reply", {"status": "ok", "response": {}}]);
                ws.send(Message::Text(reply.to_string().into()))
                    .await
                    .unwrap();
            }
            if frame[3] == event {
                return Some(frame);
            }
        }
        None
    }

    fn options() -> SocketOptions {
        SocketOptions {
            heartbeat_interval: Duration::from_millis(200),
            reply_timeout: Duration::from_millis(400),
            reconnect_base_delay: Duration::from_millis(20),
            reconnect_max_delay: Duration::from_millis(100),
            buffer_limit: 1,
            ..SocketOptions::default()
        }
    }

    #[tokio::test]
    async fn a_silent_server_is_left_for_a_new_connection_and_the_channel_rejoined() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/socket/websocket", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            // The first connection answers the join, then never answers a heartbeat.
            let mut first = accept(&listener).await;
            until(&mut first, "phx_join").await.unwrap();
            let silent = tokio::spawn(async move { while first.next().await.is_some() {} });
            // The second gets the rejoin and answers the message.
            let mut second = accept(&listener).await;
            let rejoin = until(&mut second, "phx_join").await.unwrap();
            let ping = until(&mut second, "ping").await.unwrap();
            let reply = json!([ping[0], ping[1], ping[2], "phx_reply", {"status": "ok", "response": {"pong": true}}]);
            second
                .send(Message::Text(reply.to_string().into()))
                .await
                .unwrap();
            silent.abort();
            (rejoin, second)
        });
        let socket = Socket::connect_with(url, TokenSource::Fixed(None), options())
            .await
            .unwrap();
        let (channel, _) = socket
            .join("room:1".into(), json!({"room": 1}))
            .await
            .unwrap();
        // Sent on the first connection or buffered until the rejoin; answered on the second.
        let reply = loop {
            match channel.push("ping", json!({})).await {
                Ok(reply) => break reply,
                Err(Error::ReplyTimeout { .. } | Error::ChannelDisconnected { .. }) => continue,
                Err(other) => panic!("{other:?}"),
            }
        };
        assert_eq!(reply, json!({"pong": true}));
        let (rejoin, _second) = server.await.unwrap();
        assert_eq!(
            (rejoin[2].as_str(), &rejoin[4]),
            (Some("room:1"), &json!({"room": 1}))
        );
    }

    #[tokio::test]
    async fn pushes_wait_in_a_bounded_buffer_while_reconnecting() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/socket/websocket", listener.local_addr().unwrap());
        let (joined, mut wait_joined) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut ws = accept(&listener).await;
            until(&mut ws, "phx_join").await.unwrap();
            joined.send(()).unwrap();
            // Close the connection and stop listening: reconnects are refused.
            drop(ws);
            drop(listener);
        });
        let socket = Socket::connect_with(url, TokenSource::Fixed(None), options())
            .await
            .unwrap();
        let (channel, _) = socket.join("room:1".into(), json!({})).await.unwrap();
        wait_joined.recv().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (first, second) = tokio::join!(channel.push("a", json!({})), async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            channel.push("b", json!({})).await
        });
        assert!(
            matches!(second, Err(Error::BufferFull { ref event, .. }) if event == "b"),
            "{second:?}"
        );
        assert!(
            matches!(first, Err(Error::ReplyTimeout { ref event, .. }) if event == "a"),
            "{first:?}"
        );
        socket.close().await;
        assert!(matches!(
            channel.push("c", json!({})).await,
            Err(Error::SocketClosed)
        ));
    }

    /// Accepts one WebSocket and answers its join, then runs `then` on the connection.
    async fn joined_then<F, Fut>(then: F) -> (Socket, Channel)
    where
        F: FnOnce(ServerWs, TcpListener) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/socket/websocket", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let mut ws = accept(&listener).await;
            until(&mut ws, "phx_join").await.unwrap();
            then(ws, listener).await;
        });
        let options = SocketOptions {
            event_queue_limit: 3,
            ..options()
        };
        let socket = Socket::connect_with(url, TokenSource::Fixed(None), options)
            .await
            .unwrap();
        let (channel, _) = socket.join("room:1".into(), json!({})).await.unwrap();
        (socket, channel)
    }

    #[tokio::test]
    async fn a_slow_reader_keeps_the_oldest_pushes_and_counts_the_dropped() {
        let (_socket, channel) = joined_then(|mut ws, _| async move {
            for n in 0..10 {
                let push = json!([null, null, "room:1", "n", {"n": n}]);
                ws.send(Message::Text(push.to_string().into()))
                    .await
                    .unwrap();
            }
            while ws.next().await.is_some() {}
        })
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let events: Vec<Value> = channel
            .events()
            .take(3)
            .map(|push| push.unwrap().payload["n"].clone())
            .collect()
            .await;
        assert_eq!(events, [json!(0), json!(1), json!(2)]);
        assert_eq!(channel.dropped_events(), 7);
    }

    #[tokio::test]
    async fn a_server_that_drops_every_connection_sees_growing_delays() {
        let (arrivals, mut arrived) = mpsc::unbounded_channel();
        let (_socket, _channel) = joined_then(move |ws, listener| async move {
            drop(ws);
            loop {
                let ws = accept(&listener).await;
                arrivals.send(Instant::now()).unwrap();
                drop(ws);
            }
        })
        .await;
        let mut at = Vec::new();
        while at.len() < 6 {
            at.push(arrived.recv().await.unwrap());
        }
        // Base 20 ms, at most 100 ms, jitter down to half: without a reset, the fifth wait is
        // at least 50 ms.
        let gap = at[5] - at[4];
        assert!(gap >= Duration::from_millis(50), "{gap:?}");
    }

    #[tokio::test]
    async fn a_server_refusing_every_token_gets_one_refresh() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let refreshes = Arc::new(AtomicU64::new(0));
        let counted = refreshes.clone();
        tokio::spawn(async move {
            let mut first = accept(&listener).await;
            until(&mut first, "phx_join").await.unwrap();
            drop(first);
            loop {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    conn.read_exact(&mut byte).await.unwrap();
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let (status, body) = if head.starts_with("post") {
                    let n = counted.fetch_add(1, Ordering::SeqCst);
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    let mut request_body = vec![0u8; length];
                    conn.read_exact(&mut request_body).await.unwrap();
                    let tokens = json!({"access_token": format!("at_{n}"), "refresh_token": format!("rt_{n}")});
                    ("200 OK", tokens.to_string())
                } else {
                    let refused = json!({"error": {"code": "unauthorized", "message": "no"}});
                    ("401 Unauthorized", refused.to_string())
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                conn.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        let (runtime, _) =
            super::super::RuntimeBuilder::new(format!("http://{addr}"), "/refresh", &[])
                .tokens(super::super::Tokens::new("at", Some("rt".into())))
                .build()
                .unwrap();
        let url = format!("ws://{addr}/socket/websocket");
        let socket = Socket::connect_with(url, TokenSource::Runtime(runtime), options())
            .await
            .unwrap();
        let _channel = socket.join("room:1".into(), json!({})).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn channels_trust_what_rest_trusts() {
        let (runtime, _) = super::super::RuntimeBuilder::new("https://api.example", "", &[])
            .build()
            .unwrap();
        let url = socket_url(runtime.base_url()).unwrap();
        let connector =
            Connector::new(&url, TokenSource::Runtime(runtime.clone()), options()).unwrap();
        assert!(connector.tls.is_shared_with(&runtime.tls_config()));
    }

    #[test]
    fn topics_are_built_from_params() {
        let params = json!({"team_id": "tem_1", "thread_id": "thr_2", "limit": 5});
        assert_eq!(
            topic("api:chat:team:{team_id}:thread:{thread_id}", &params).unwrap(),
            "api:chat:team:tem_1:thread:thr_2"
        );
        assert!(topic("thread:{thread_id}", &json!({})).is_err());
        assert!(topic("thread:{thread_id}", &json!({"thread_id": ""})).is_err());
        assert!(topic("thread:{thread_id}", &json!({"thread_id": {"a": 1}})).is_err());
        assert!(topic("thread:{thread_id", &json!({"thread_id": "x"})).is_err());
    }

    #[test]
    fn socket_urls_follow_the_base_url() {
        assert_eq!(
            socket_url("https://api.archastro.ai").unwrap(),
            "wss://api.archastro.ai/socket/websocket"
        );
        assert_eq!(
            socket_url("http://127.0.0.1:4010/").unwrap(),
            "ws://127.0.0.1:4010/socket/websocket"
        );
    }
}
