//! Server-Sent Events: the responses of `x-sdk-streaming` operations as a `Stream` of typed
//! events. The generated code gives each streaming operation an enum of its declared events
//! (implementing [`Event`]) and an `events()` method built on [`events`].
//!
//! - The body is parsed as `text/event-stream` (fields `event`, `data`, `id`, `retry`;
//!   comments; `\n`, `\r\n` or `\r` line ends; events split across chunks).
//! - An event the operation declares as an error (named `error`) ends the stream with
//!   [`Error::StreamEvent`], carrying its payload; an HTTP error status is the API's
//!   [`Error::Api`] before any event.
//! - A connection lost mid-stream is reconnected with `Last-Event-ID` when the server gave the
//!   events ids (waiting its `retry`, at most [`MAX_RECONNECTS`] times in a row without a new
//!   event); without ids the stream ends with [`Error::StreamInterrupted`]: the events
//!   would otherwise be replayed or lost silently.
//! - Memory and waits are bounded: a line longer than [`MAX_LINE`] or an event whose data is
//!   longer than [`MAX_EVENT_DATA`] ends the stream with [`Error::StreamInterrupted`], and a
//!   `retry:` longer than [`MAX_RETRY`] waits [`MAX_RETRY`].

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};
use serde_json::Value;

use super::error::Error;

/// Reconnects in a row (without an event in between) before the stream gives up.
pub const MAX_RECONNECTS: u32 = 3;
/// The reconnect delay when the server sets none with `retry:`.
pub const DEFAULT_RETRY: Duration = Duration::from_secs(1);
/// The longest line the parser buffers (1 MiB): a server that never ends a line cannot make
/// the client hold more.
pub const MAX_LINE: usize = 1 << 20;
/// The most data one event may carry (8 MiB, all its `data:` lines together).
pub const MAX_EVENT_DATA: usize = 8 << 20;
/// The longest reconnect delay a `retry:` field can set.
pub const MAX_RETRY: Duration = Duration::from_secs(60);

/// A stream has no overall deadline (it lasts as long as the server sends): this bounds one
/// request instead of the client's per-request timeout.
pub const STREAM_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The declared events of one streaming operation.
pub trait Event: Sized + Send + 'static {
    /// Decodes the event named `event` with JSON `data`; an undeclared name decodes to the
    /// enum's `Other` variant.
    fn decode(event: &str, data: &str) -> Result<Self, serde_json::Error>;
    /// Whether the event named `event` reports a failure.
    fn is_error(event: &str) -> bool;
}

tokio::task_local! {
    static STREAM_REQUEST: StreamRequest;
}

#[derive(Clone)]
struct StreamRequest {
    last_event_id: Option<String>,
}

/// Runs `send` (one generated `send()`) as a stream request: `apply` then sets
/// `Accept: text/event-stream`, the `Last-Event-ID` and the stream timeout on what it sends.
pub async fn scoped<F: Future>(last_event_id: Option<String>, send: F) -> F::Output {
    STREAM_REQUEST
        .scope(StreamRequest { last_event_id }, send)
        .await
}

/// Called by the runtime on every request: inside [`scoped`], adds the stream headers.
pub(crate) fn apply(request: &mut reqwest::Request) {
    let _ = STREAM_REQUEST.try_with(|stream| {
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(id) = &stream.last_event_id
            && let Ok(value) = HeaderValue::from_str(id)
        {
            request
                .headers_mut()
                .insert(HeaderName::from_static("last-event-id"), value);
        }
        *request.timeout_mut() = Some(STREAM_TIMEOUT);
    });
}

/// The typed events of a streaming response. `connect(last_event_id)` sends the request
/// (again, on a reconnect) and returns the body.
pub fn events<'a, E, F, Fut, S>(connect: F) -> BoxStream<'a, Result<E, Error>>
where
    E: Event,
    F: FnMut(Option<String>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<S, Error>> + Send + 'a,
    S: Stream<Item = reqwest::Result<Bytes>> + Send + Unpin + 'a,
{
    let state = State {
        connect,
        body: None,
        parser: Parser::default(),
        last_event_id: None,
        retry: DEFAULT_RETRY,
        reconnects: 0,
        done: false,
        ready: VecDeque::new(),
    };
    stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
    .boxed()
}

struct State<F, S, E> {
    connect: F,
    body: Option<S>,
    parser: Parser,
    last_event_id: Option<String>,
    retry: Duration,
    reconnects: u32,
    done: bool,
    ready: VecDeque<Result<E, Error>>,
}

impl<F, Fut, S, E> State<F, S, E>
where
    E: Event,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<S, Error>>,
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    async fn next(&mut self) -> Option<Result<E, Error>> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            let body = match &mut self.body {
                Some(body) => body,
                None => match (self.connect)(self.last_event_id.clone()).await {
                    Ok(body) => self.body.insert(body),
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                },
            };
            match body.next().await {
                Some(Ok(chunk)) => {
                    let mut raws = Vec::new();
                    let fed = self.parser.feed(&chunk, &mut raws);
                    for raw in raws {
                        if self.done {
                            break; // an error event ended the stream
                        }
                        self.dispatch(raw);
                    }
                    if let Err(too_long) = fed
                        && !self.done
                    {
                        self.done = true;
                        self.ready
                            .push_back(Err(Error::StreamInterrupted(too_long.to_string())));
                    }
                }
                Some(Err(e)) => {
                    self.body = None;
                    self.parser = Parser::default();
                    if self.last_event_id.is_some() && self.reconnects < MAX_RECONNECTS {
                        self.reconnects += 1;
                        tokio::time::sleep(self.retry).await;
                    } else {
                        self.done = true;
                        return Some(Err(Error::StreamInterrupted(e.to_string())));
                    }
                }
                None => self.done = true,
            }
        }
    }

    fn dispatch(&mut self, raw: RawEvent) {
        if let Some(retry) = raw.retry {
            self.retry = retry;
        }
        if let Some(id) = raw.id {
            self.last_event_id = Some(id);
        }
        let Some(data) = raw.data else {
            return;
        };
        self.reconnects = 0;
        if E::is_error(&raw.event) {
            let payload = serde_json::from_str(&data).unwrap_or(Value::String(data.clone()));
            let text = |pointer: &str| {
                payload
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let message = text("/message")
                .or_else(|| text("/error/message"))
                .or_else(|| text("/error"))
                .unwrap_or_else(|| data.clone());
            let code = text("/code").or_else(|| text("/error/code"));
            self.ready.push_back(Err(Error::StreamEvent {
                event: raw.event,
                code,
                message,
                payload,
            }));
            self.done = true;
            return;
        }
        self.ready.push_back(
            E::decode(&raw.event, &data).map_err(|source| Error::Decode {
                status: None,
                source,
            }),
        );
    }
}

/// One dispatched event, before decoding.
#[derive(Debug, Default, PartialEq)]
struct RawEvent {
    event: String,
    /// `None` when the event had no `data` (only `id` or `retry`): nothing to deliver.
    data: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
}

/// The `text/event-stream` line parser (WHATWG HTML, "Server-sent events").
#[derive(Debug, Default)]
struct Parser {
    line: Vec<u8>,
    /// The last chunk ended in `\r`: a `\n` starting the next one belongs to it.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    id: Option<String>,
    retry: Option<Duration>,
}

/// What made the parser give up: a line or an event over its limit.
#[derive(Debug, PartialEq)]
struct TooLong(&'static str, usize);

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the server sent {} longer than {} bytes", self.0, self.1)
    }
}

impl Parser {
    /// Parses `chunk`, pushing the events it completes to `out`; fails (after pushing the
    /// events completed before it) when a line or an event's data outgrows its limit.
    fn feed(&mut self, chunk: &[u8], out: &mut Vec<RawEvent>) -> Result<(), TooLong> {
        let mut bytes = chunk;
        if self.after_cr && bytes.first() == Some(&b'\n') {
            bytes = &bytes[1..];
        }
        self.after_cr = false;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' | b'\r' => {
                    if bytes[i] == b'\r' {
                        if bytes.get(i + 1) == Some(&b'\n') {
                            i += 1;
                        } else if i + 1 == bytes.len() {
                            self.after_cr = true;
                        }
                    }
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line) {
                        out.push(event);
                    }
                    if self.data.len() > MAX_EVENT_DATA {
                        return Err(TooLong("an event", MAX_EVENT_DATA));
                    }
                }
                b => {
                    if self.line.len() == MAX_LINE {
                        return Err(TooLong("a line", MAX_LINE));
                    }
                    self.line.push(b);
                }
            }
            i += 1;
        }
        Ok(())
    }

    fn line_done(&mut self, line: &[u8]) -> Option<RawEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // All digits: only an overflow fails to parse, and it is over the cap too.
                let millis = value.parse().unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(millis).min(MAX_RETRY));
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<RawEvent> {
        let event = std::mem::take(&mut self.event);
        let mut data = std::mem::take(&mut self.data);
        let has_data = std::mem::replace(&mut self.has_data, false);
        let id = self.id.take();
        let retry = self.retry.take();
        if !has_data && id.is_none() && retry.is_none() {
            return None;
        }
        if data.ends_with('\n') {
            data.pop();
        }
        Some(RawEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            data: has_data.then_some(data),
            id,
            retry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&str]) -> Vec<RawEvent> {
        let mut parser = Parser::default();
        let mut events = Vec::new();
        for chunk in chunks {
            parser.feed(chunk.as_bytes(), &mut events).unwrap();
        }
        events
    }

    /// Feeds `chunk` `times` times; the first failure.
    fn overflow(chunk: &str, times: usize) -> Option<TooLong> {
        let mut parser = Parser::default();
        let mut events = Vec::new();
        (0..times).find_map(|_| parser.feed(chunk.as_bytes(), &mut events).err())
    }

    #[test]
    fn a_line_without_end_is_cut_at_max_line() {
        let kib = "x".repeat(1024);
        assert_eq!(overflow(&kib, 1025), Some(TooLong("a line", MAX_LINE)));
        assert_eq!(overflow(&kib, 1024), None);
    }

    #[test]
    fn an_event_of_endless_data_lines_is_cut_at_max_event_data() {
        let line = format!("data: {}\n", "x".repeat(64 * 1024));
        assert_eq!(
            overflow(&line, 129),
            Some(TooLong("an event", MAX_EVENT_DATA))
        );
    }

    #[test]
    fn a_huge_retry_is_capped() {
        for retry in [
            "retry: 99999999999\n\n",
            "retry: 999999999999999999999999\n\n",
        ] {
            assert_eq!(parse(&[retry])[0].retry, Some(MAX_RETRY), "{retry}");
        }
    }

    #[test]
    fn events_split_across_chunks_and_line_ends() {
        let events = parse(&[
            "event: message_delta\nda",
            "ta: {\"delta\":\"Hi\"}\r",
            "\n\r\n: a comment\nid: 7\nretry: 1500\ndata: a\ndata: b\n\n",
            "data: no event name\r\r",
        ]);
        assert_eq!(events.len(), 3, "{events:?}");
        assert_eq!(events[0].event, "message_delta");
        assert_eq!(events[0].data.as_deref(), Some("{\"delta\":\"Hi\"}"));
        assert_eq!(events[1].data.as_deref(), Some("a\nb"));
        assert_eq!(events[1].id.as_deref(), Some("7"));
        assert_eq!(events[1].retry, Some(Duration::from_millis(1500)));
        assert_eq!(events[2].event, "message");
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched() {
        assert!(parse(&["event: done\ndata: {}"]).is_empty());
    }

    #[derive(Debug, PartialEq)]
    enum Numbered {
        N(u64),
        Other(String),
    }

    impl Event for Numbered {
        fn decode(event: &str, data: &str) -> Result<Self, serde_json::Error> {
            Ok(match event {
                "n" => Numbered::N(
                    serde_json::from_str::<Value>(data)?["n"]
                        .as_u64()
                        .unwrap_or(0),
                ),
                other => Numbered::Other(other.to_owned()),
            })
        }
        fn is_error(event: &str) -> bool {
            event == "error"
        }
    }

    /// A loopback server that answers each connection with the next of `bodies` (chunked;
    /// a body ending in `CUT` is cut off without the last chunk) and reports each request's
    /// `Last-Event-ID`.
    async fn serve(
        bodies: Vec<&'static str>,
    ) -> (String, tokio::sync::mpsc::UnboundedReceiver<Option<String>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/stream", listener.local_addr().unwrap());
        let (seen, requests) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            for body in bodies {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    conn.read_exact(&mut byte).await.unwrap();
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let last = head
                    .lines()
                    .find_map(|l| l.strip_prefix("last-event-id: ").map(str::to_owned));
                assert!(head.contains("accept: text/event-stream"), "{head}");
                seen.send(last).unwrap();
                let (data, cut) = match body.strip_suffix("CUT") {
                    Some(data) => (data, true),
                    None => (body, false),
                };
                let mut out = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{data}\r\n",
                    data.len()
                );
                if !cut {
                    out.push_str("0\r\n\r\n");
                }
                conn.write_all(out.as_bytes()).await.unwrap();
                conn.flush().await.unwrap();
                // Dropping the connection cuts a body that has no last chunk.
            }
        });
        (url, requests)
    }

    fn stream_of(url: String) -> BoxStream<'static, Result<Numbered, Error>> {
        let http = reqwest::Client::new();
        events(move |last_event_id| {
            let http = http.clone();
            let url = url.clone();
            scoped(last_event_id, async move {
                let mut request = http.get(url).build().map_err(Error::Transport)?;
                apply(&mut request);
                let response = http.execute(request).await.map_err(Error::Transport)?;
                Ok(response.bytes_stream())
            })
        })
    }

    #[tokio::test]
    async fn a_cut_stream_with_ids_resumes_from_the_last_event_id() {
        let (url, mut requests) = serve(vec![
            "retry: 10\nid: 1\nevent: n\ndata: {\"n\": 1}\n\nid: 2\nevent: n\ndata: {\"n\": 2}\n\nCUT",
            "id: 3\nevent: n\ndata: {\"n\": 3}\n\nevent: bye\ndata: {}\n\n",
        ])
        .await;
        let items: Vec<_> = stream_of(url).collect().await;
        let items: Vec<Numbered> = items.into_iter().map(|i| i.unwrap()).collect();
        assert_eq!(
            items,
            [
                Numbered::N(1),
                Numbered::N(2),
                Numbered::N(3),
                Numbered::Other("bye".into())
            ]
        );
        assert_eq!(requests.recv().await.unwrap(), None);
        assert_eq!(requests.recv().await.unwrap().as_deref(), Some("2"));
    }

    #[tokio::test]
    async fn a_cut_stream_without_ids_ends_with_a_typed_error() {
        let (url, _requests) = serve(vec!["event: n\ndata: {\"n\": 1}\n\nCUT"]).await;
        let items: Vec<_> = stream_of(url).collect().await;
        assert!(
            matches!(
                items.as_slice(),
                [Ok(Numbered::N(1)), Err(Error::StreamInterrupted(_))]
            ),
            "{items:?}"
        );
    }

    #[tokio::test]
    async fn an_error_event_ends_the_stream_with_its_payload() {
        let (url, _requests) = serve(vec![
            "event: n\ndata: {\"n\": 1}\n\nevent: error\ndata: {\"message\": \"overloaded\", \"code\": \"busy\"}\n\nevent: n\ndata: {\"n\": 2}\n\n",
        ])
        .await;
        let items: Vec<_> = stream_of(url).collect().await;
        assert_eq!(items.len(), 2, "{items:?}");
        match &items[1] {
            Err(
                e @ Error::StreamEvent {
                    message, payload, ..
                },
            ) => {
                assert_eq!((message.as_str(), e.code()), ("overloaded", Some("busy")));
                assert_eq!(payload["message"], "overloaded");
            }
            other => panic!("{other:?}"),
        }
    }
}
