//! One WebSocket connection of the channels ([`super::channels`]): the URL with the protocol
//! version and the access token, the client's TLS configuration, and the renewal of a token
//! the server refuses.

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::channels::{PROTOCOL_VERSION, SocketOptions};
use super::error::Error;
use super::runtime::Runtime;
use super::tls::TlsConfig;

/// One open WebSocket.
pub(super) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where a socket gets its access token: the client's runtime (current tokens, refreshed when
/// the server refuses one) or a fixed token.
#[derive(Clone)]
pub enum TokenSource {
    Runtime(Runtime),
    Fixed(Option<super::Secret>),
}

impl TokenSource {
    fn current(&self) -> Option<String> {
        match self {
            TokenSource::Runtime(r) => r.tokens().map(|t| t.access_token.expose().to_owned()),
            TokenSource::Fixed(t) => t.as_ref().map(|t| t.expose().to_owned()),
        }
    }

    fn generation(&self) -> u64 {
        match self {
            TokenSource::Runtime(r) => r.token_generation(),
            TokenSource::Fixed(_) => 0,
        }
    }

    /// Renews the access token after the server refused it; `false` when it cannot.
    async fn renew(&self, seen_generation: u64) -> bool {
        match self {
            TokenSource::Runtime(r) => {
                r.tokens().is_some_and(|t| t.refresh_token.is_some())
                    && r.refresh(seen_generation).await.is_ok()
            }
            TokenSource::Fixed(_) => false,
        }
    }
}

/// Opens the connections of one socket, the first and every reconnect.
pub(super) struct Connector {
    url: reqwest::Url,
    tokens: TokenSource,
    pub(super) options: SocketOptions,
    /// The client's TLS configuration (see [`super::tls`]).
    pub(super) tls: TlsConfig,
    /// The token generation this connector's own renewal produced, until a connection
    /// succeeds: a 401 to that same token is not worth another refresh.
    renewed: Option<u64>,
}

impl Connector {
    /// A connector to `url`, with the runtime's TLS configuration when the tokens come from
    /// a runtime.
    pub(super) fn new(
        url: &str,
        tokens: TokenSource,
        options: SocketOptions,
    ) -> Result<Connector, Error> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| Error::Config(format!("socket URL `{url}`: {e}")))?;
        if !matches!(url.scheme(), "ws" | "wss") {
            return Err(Error::Config(format!("socket URL `{url}` must be ws(s)")));
        }
        let tls = match &tokens {
            TokenSource::Runtime(runtime) => runtime.tls_config(),
            TokenSource::Fixed(_) => TlsConfig::new()?,
        };
        Ok(Connector {
            url,
            tokens,
            options,
            tls,
            renewed: None,
        })
    }

    /// One connection, with the current token; a refused token is renewed, once until a
    /// connection succeeds.
    pub(super) async fn connect(&mut self) -> Result<Ws, Error> {
        let generation = self.tokens.generation();
        let result = match self.attempt().await {
            Err(Error::Api { status, .. })
                if status == reqwest::StatusCode::UNAUTHORIZED
                    && self.renewed != Some(generation)
                    && self.tokens.renew(generation).await =>
            {
                self.renewed = Some(self.tokens.generation());
                self.attempt().await
            }
            other => other,
        };
        if result.is_ok() {
            self.renewed = None;
        }
        result
    }

    async fn attempt(&self) -> Result<Ws, Error> {
        let mut url = self.url.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("vsn", PROTOCOL_VERSION);
            if let Some(token) = self.tokens.current() {
                query.append_pair("token", &token);
            }
        }
        let request = url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::WebSocket(e.to_string()))?;
        let connecting = tokio_tungstenite::connect_async_tls_with_config(
            request,
            None,
            false,
            Some(self.tls.websocket()),
        );
        match tokio::time::timeout(self.options.connect_timeout, connecting).await {
            Err(_) => Err(Error::WebSocket(format!(
                "connecting to {} timed out",
                self.url
            ))),
            Ok(Ok((ws, _))) => Ok(ws),
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                let status = reqwest::StatusCode::from_u16(response.status().as_u16())
                    .unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
                Err(Error::from_body(
                    status,
                    response.body().as_deref().unwrap_or_default(),
                ))
            }
            Ok(Err(e)) => Err(Error::WebSocket(e.to_string())),
        }
    }
}
