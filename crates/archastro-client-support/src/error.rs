//! The one error type of the client. An API failure carries the status and the decoded
//! envelope (`{"error": {"code", "message", "details"}}`); transport and decode failures keep
//! their cause.

use reqwest::StatusCode;
use serde_json::Value;

/// Everything a call through the client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error status.
    #[error("{status}: {code}: {message}")]
    Api {
        status: StatusCode,
        /// The envelope's machine-readable code (`not_found`, `validation_failed`, ...), or the
        /// OAuth `error` field.
        code: String,
        message: String,
        details: Value,
    },
    /// The request never got an answer (connection, TLS, timeout).
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The answer did not decode as the type the spec declares. The body is not kept: it may
    /// hold tokens. `status` is `None` where the generated code does not report it.
    #[error("{}the response body does not match the spec: {source}", status.map(|s| format!("{s}: ")).unwrap_or_default())]
    Decode {
        status: Option<StatusCode>,
        #[source]
        source: serde_json::Error,
    },
    /// A parameter or body could not be built, found when the request is sent: the message
    /// names the parameter (and the body's field) whose value did not convert.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client is misconfigured (bad base URL, missing credential for a flow).
    #[error("configuration: {0}")]
    Config(String),
    /// The device flow ended without a token (`expired_token`, `access_denied`).
    #[error("device flow ended: {code}: {message}")]
    DeviceFlow { code: String, message: String },
    /// The server refused to join a channel; `reason` is the one it gave
    /// (`unauthorized`, `unknown_topic`, ...).
    #[error("joining `{topic}` was refused: {reason}")]
    JoinRefused {
        topic: String,
        reason: String,
        response: Value,
    },
    /// The server answered a channel message with an error.
    #[error("`{event}` on `{topic}` was refused: {reason}")]
    ChannelReply {
        topic: String,
        event: String,
        reason: String,
        response: Value,
    },
    /// No reply to a channel join or message within the reply timeout.
    #[error("no reply to `{event}` on `{topic}` in time")]
    ReplyTimeout { topic: String, event: String },
    /// The connection dropped while a channel message waited for its reply: it may or may
    /// not have been processed.
    #[error("the connection dropped before `{event}` on `{topic}` was answered")]
    ChannelDisconnected { topic: String, event: String },
    /// Too many channel messages are waiting for a reconnect.
    #[error("`{event}` on `{topic}`: the reconnect buffer is full")]
    BufferFull { topic: String, event: String },
    /// The socket was closed, or gave up reconnecting.
    #[error("the socket is closed")]
    SocketClosed,
    /// The WebSocket could not be opened (network, TLS, handshake).
    #[error("websocket: {0}")]
    WebSocket(String),
    /// A Server-Sent Events stream sent an error event (its payload is kept).
    #[error("stream error event `{event}`{}: {message}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    StreamEvent {
        event: String,
        code: Option<String>,
        message: String,
        payload: Value,
    },
    /// A Server-Sent Events stream broke off and could not be resumed (the server gave no
    /// event ids to resume from, or reconnecting failed).
    #[error("the event stream was interrupted: {0}")]
    StreamInterrupted(String),
}

impl Error {
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Decode { status, .. } => *status,
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The envelope code, when the API answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } | Error::DeviceFlow { code, .. } => Some(code),
            Error::StreamEvent { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Decodes an error body: the envelope, an OAuth error, or the raw text.
    pub fn from_body(status: StatusCode, body: &[u8]) -> Error {
        let json: Option<Value> = serde_json::from_slice(body).ok();
        Self::from_json(status, json.as_ref(), &String::from_utf8_lossy(body))
    }

    fn from_json(status: StatusCode, json: Option<&Value>, raw: &str) -> Error {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        if let Some(envelope) = json.and_then(|j| j.get("error")).filter(|e| e.is_object()) {
            return Error::Api {
                status,
                code: text(envelope.get("code")).unwrap_or_else(|| status_code_name(status)),
                message: text(envelope.get("message")).unwrap_or_default(),
                details: envelope.get("details").cloned().unwrap_or(Value::Null),
            };
        }
        if let Some(code) = text(json.and_then(|j| j.get("error"))) {
            return Error::Api {
                status,
                code,
                message: text(json.and_then(|j| j.get("error_description"))).unwrap_or_default(),
                details: Value::Null,
            };
        }
        Error::Api {
            status,
            code: status_code_name(status),
            message: raw.chars().take(512).collect(),
            details: Value::Null,
        }
    }
}

fn status_code_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace(' ', "_")
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e)
    }
}

/// A header parameter whose value is not a valid header value.
impl From<reqwest::header::InvalidHeaderValue> for Error {
    fn from(e: reqwest::header::InvalidHeaderValue) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl<E: serde::Serialize> From<progenitor_client::Error<E>> for Error {
    fn from(e: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(m) | P::Custom(m) => Error::InvalidRequest(m),
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
                Error::Transport(e)
            }
            P::ErrorResponse(rv) => {
                let status = rv.status();
                let json = serde_json::to_value(rv.into_inner()).ok();
                Error::from_json(status, json.as_ref(), "")
            }
            P::InvalidResponsePayload(_, source) => Error::Decode {
                status: None,
                source,
            },
            P::UnexpectedResponse(response) => {
                let status = response.status();
                match response.extensions().get::<super::runtime::ErrorBody>() {
                    Some(body) => Error::from_body(status, &body.0),
                    None => Error::Api {
                        status,
                        code: status_code_name(status),
                        message: format!("status {status} is not declared for this operation"),
                        details: Value::Null,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_envelope() {
        let body = br#"{"error": {"code": "not_found", "message": "Thread not found", "details": {"id": "thr_1"}}}"#;
        match Error::from_body(StatusCode::NOT_FOUND, body) {
            Error::Api {
                status,
                code,
                message,
                details,
            } => {
                assert_eq!(
                    (status.as_u16(), code.as_str(), message.as_str()),
                    (404, "not_found", "Thread not found")
                );
                assert_eq!(details["id"], "thr_1");
            }
            other => panic!("{other:?}"),
        }
        let oauth = Error::from_body(StatusCode::BAD_REQUEST, br#"{"error": "slow_down"}"#);
        assert_eq!(oauth.code(), Some("slow_down"));
        let plain = Error::from_body(StatusCode::BAD_GATEWAY, b"upstream down");
        assert_eq!(plain.code(), Some("bad_gateway"));
    }
}
