//! The state every generated family client shares: configuration, credentials, the current
//! tokens, and the request loop (credentials, single-flight refresh, retries, error bodies).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Request, Response, StatusCode};

use super::credentials::{Credentials, Scheme, Secret, TokenStore, Tokens};
use super::error::Error;
use super::retry::{RetryPolicy, is_idempotent, is_retryable_status, retry_after};
use super::tls::TlsConfig;
use super::trace::RequestSpan;

/// Configures a [`Runtime`]; the generated `Builder` wraps it.
#[derive(Debug, Clone)]
pub struct RuntimeBuilder {
    base_url: String,
    refresh_path: String,
    refresh_security: &'static [&'static [Scheme]],
    credentials: Credentials,
    tokens: Option<Tokens>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    token_store: TokenStoreSlot,
}

/// The largest error body the runtime reads (64 KiB); the rest is not read.
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// The largest token response (refresh, device flow) the runtime reads (64 KiB); a longer one
/// is cut there and fails to decode.
pub const MAX_TOKEN_BODY: usize = 64 * 1024;
/// Redirects followed in a row, all within the request's origin.
pub const MAX_REDIRECTS: usize = 10;

/// The optional [`TokenStore`], printed without its contents.
#[derive(Clone, Default)]
struct TokenStoreSlot(Option<Arc<dyn TokenStore>>);

impl fmt::Debug for TokenStoreSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(TokenStore)"
        } else {
            "None"
        })
    }
}

impl RuntimeBuilder {
    /// `refresh_path` is where refresh tokens are exchanged (empty: no automatic refresh),
    /// with the credentials `refresh_security` names (bearer alternatives are skipped: the
    /// access token is what expired).
    pub fn new(
        base_url: impl Into<String>,
        refresh_path: impl Into<String>,
        refresh_security: &'static [&'static [Scheme]],
    ) -> Self {
        RuntimeBuilder {
            base_url: base_url.into(),
            refresh_path: refresh_path.into(),
            refresh_security,
            credentials: Credentials::default(),
            tokens: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            token_store: TokenStoreSlot::default(),
        }
    }

    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.credentials.secret_key = Some(Secret::new(key));
        self
    }

    pub fn publishable_key(mut self, key: impl Into<String>) -> Self {
        self.credentials.publishable_key = Some(Secret::new(key));
        self
    }

    /// A bare access token, without a refresh token.
    pub fn bearer(mut self, token: impl Into<String>) -> Self {
        self.tokens = Some(Tokens::new(token, None));
        self
    }

    pub fn tokens(mut self, tokens: Tokens) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Timeout of one attempt, from sending the request to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where refreshed tokens are saved (see [`TokenStore`]).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = TokenStoreSlot(Some(store));
        self
    }

    /// The runtime, and the HTTP client the generated family clients share (with the TLS
    /// stack of the crate's feature: rustls, or `native-tls`).
    pub fn build(self) -> Result<(Runtime, reqwest::Client), Error> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL `{}`: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(Error::Config(format!(
                "base URL `{}` must be http(s)",
                self.base_url
            )));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(Error::Config(
                "the base URL must not carry credentials or a query".into(),
            ));
        }
        let tls = TlsConfig::new()?;
        let http = tls
            .http(reqwest::Client::builder())
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("archastro-rust/", env!("CARGO_PKG_VERSION")))
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        let runtime = Runtime(Arc::new(Inner {
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            base_path: url.path().trim_end_matches('/').to_owned(),
            refresh_path: self.refresh_path,
            refresh_security: self.refresh_security,
            credentials: self.credentials,
            tokens: RwLock::new(self.tokens),
            generation: AtomicU64::new(0),
            refresh_lock: tokio::sync::Mutex::new(None),
            retry: self.retry,
            token_store: self.token_store,
            tls,
            http: http.clone(),
        }));
        Ok((runtime, http))
    }
}

/// Shared by every family client of one `ArchAstro`; cheap to clone.
#[derive(Clone)]
pub struct Runtime(Arc<Inner>);

struct Inner {
    base_url: String,
    /// The base URL's path, without a trailing `/` (usually empty).
    base_path: String,
    refresh_path: String,
    refresh_security: &'static [&'static [Scheme]],
    credentials: Credentials,
    tokens: RwLock<Option<Tokens>>,
    /// Bumped on every token change: a request that saw generation N and got a 401 refreshes
    /// only if nobody has since N (single flight).
    generation: AtomicU64,
    /// Held while refreshing; holds the generation whose refresh failed, if the last one did,
    /// so requests that waited for it fail too instead of spending the refresh token again.
    refresh_lock: tokio::sync::Mutex<Option<u64>>,
    retry: RetryPolicy,
    token_store: TokenStoreSlot,
    /// The TLS configuration of `http`, which the channels' WebSocket uses too.
    tls: TlsConfig,
    http: reqwest::Client,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens = self.0.tokens.read().map(|t| t.is_some()).unwrap_or(false);
        f.debug_struct("Runtime")
            .field("base_url", &self.0.base_url)
            .field(
                "publishable_key",
                &self.0.credentials.publishable_key.as_ref().map(|_| "***"),
            )
            .field(
                "secret_key",
                &self.0.credentials.secret_key.as_ref().map(|_| "***"),
            )
            .field("tokens", &tokens.then_some("***"))
            .field("retry", &self.0.retry)
            .finish()
    }
}

impl Runtime {
    pub fn base_url(&self) -> &str {
        &self.0.base_url
    }

    /// Checks the path of `request` against `template`, the operation's path (see
    /// [`check_path`](super::check_path)): the generated `ClientHooks::pre` refuses the
    /// request with the message before anything is sent.
    pub fn check_request_path(&self, request: &Request, template: &str) -> Result<(), String> {
        super::path::check_path(&self.0.base_path, template, request.url().path())
    }

    /// The TLS configuration REST and channels share (see [`super::tls`]).
    pub(crate) fn tls_config(&self) -> TlsConfig {
        self.0.tls.clone()
    }

    /// The HTTP client the family clients share.
    pub fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// The current tokens.
    pub fn tokens(&self) -> Option<Tokens> {
        self.0.tokens.read().ok().and_then(|t| t.clone())
    }

    /// Replaces the tokens (after a login, a token exchange or the device flow).
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        if let Ok(mut t) = self.0.tokens.write() {
            *t = tokens;
        }
        self.0.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Stores the tokens found in a login/refresh/token response (see [`Tokens::from_json`]).
    pub fn store_tokens_from<T: serde::Serialize>(&self, response: &T) -> Result<Tokens, Error> {
        let value =
            serde_json::to_value(response).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let tokens = Tokens::from_json(&value)
            .ok_or_else(|| Error::Config("the response carries no `access_token`".into()))?;
        self.set_tokens(Some(tokens.clone()));
        Ok(tokens)
    }

    /// Sets the credential of the first alternative the client can satisfy; an operation
    /// without security requirements gets none.
    pub fn authorize(&self, request: &mut Request, alternatives: &[&[Scheme]]) {
        // Read under the lock: no copy of the tokens per request.
        let guard = self.0.tokens.read().ok();
        let tokens = guard.as_ref().and_then(|t| t.as_ref());
        let satisfiable = |scheme: &Scheme| match scheme {
            Scheme::Bearer => tokens.is_some(),
            Scheme::ApiKey { kind, .. } => self.0.credentials.key(*kind).is_some(),
        };
        let Some(chosen) = alternatives.iter().find(|alt| alt.iter().all(satisfiable)) else {
            return;
        };
        for scheme in chosen.iter() {
            match scheme {
                Scheme::Bearer => {
                    if let Some(t) = tokens
                        && let Ok(mut v) =
                            HeaderValue::from_str(&format!("Bearer {}", t.access_token.expose()))
                    {
                        v.set_sensitive(true);
                        request.headers_mut().insert(AUTHORIZATION, v);
                    }
                }
                Scheme::ApiKey { header, kind } => {
                    if let (Some(key), Ok(name)) = (
                        self.0.credentials.key(*kind),
                        HeaderName::from_bytes(header.as_bytes()),
                    ) && let Ok(mut v) = HeaderValue::from_str(key.expose())
                    {
                        v.set_sensitive(true);
                        request.headers_mut().insert(name, v);
                    }
                }
            }
        }
    }

    /// Sends `request` with credentials, one shared refresh on 401, and retries; `route` is
    /// the operation's path template, for the request's span (the `tracing` feature). Within
    /// [`call::scoped`](super::call::scoped), with that request's timeout and retry policy.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        mut request: Request,
        alternatives: &[&[Scheme]],
        route: &str,
    ) -> reqwest::Result<Response> {
        super::call::apply(&mut request);
        let span = RequestSpan::new(request.method(), route);
        span.enter(self.attempts(client, request, alternatives, &span))
            .await
    }

    /// The request loop of [`Runtime::execute`].
    async fn attempts(
        &self,
        client: &reqwest::Client,
        request: Request,
        alternatives: &[&[Scheme]],
        span: &RequestSpan,
    ) -> reqwest::Result<Response> {
        let policy = super::call::retry_policy();
        let policy = policy.as_ref().unwrap_or(&self.0.retry);
        let idempotent = is_idempotent(request.method());
        let mut refreshed = false;
        let mut attempt = 0u32;
        // Attempts sent, the retry after a refresh included.
        let mut sent = 0u32;
        loop {
            span.attempt(sent);
            sent = sent.saturating_add(1);
            // A streaming body cannot be sent twice: then there is exactly one attempt.
            let Some(mut this) = request.try_clone() else {
                let mut only = request;
                self.authorize(&mut only, alternatives);
                super::sse::apply(&mut only);
                let result = match client.execute(only).await {
                    Ok(response)
                        if response.status().is_client_error()
                            || response.status().is_server_error() =>
                    {
                        buffer_error_body(response).await
                    }
                    other => other,
                };
                span.status(&result);
                return result;
            };
            let generation = self.0.generation.load(Ordering::SeqCst);
            self.authorize(&mut this, alternatives);
            super::sse::apply(&mut this);
            let used_bearer = this.headers().contains_key(AUTHORIZATION);
            let result = match client.execute(this).await {
                Ok(response)
                    if response.status().is_client_error()
                        || response.status().is_server_error() =>
                {
                    buffer_error_body(response).await
                }
                other => other,
            };
            span.status(&result);
            let retry_delay = match &result {
                Ok(response)
                    if response.status() == StatusCode::UNAUTHORIZED
                        && used_bearer
                        && !refreshed =>
                {
                    refreshed = true;
                    if self.refresh(generation).await.is_ok() {
                        continue;
                    }
                    None
                }
                Ok(response)
                    if idempotent
                        && is_retryable_status(response.status())
                        && attempt < policy.max_retries =>
                {
                    match retry_after(response.headers()) {
                        Some(wait) if wait > policy.max_retry_after => None,
                        Some(wait) => Some(wait),
                        None => Some(policy.backoff(attempt)),
                    }
                }
                Err(e) if idempotent && e.is_connect() && attempt < policy.max_retries => {
                    Some(policy.backoff(attempt))
                }
                _ => None,
            };
            match retry_delay {
                Some(wait) => {
                    attempt += 1;
                    span.retry(sent, wait);
                    tokio::time::sleep(wait).await;
                }
                None => return result,
            }
        }
    }

    /// Exchanges the refresh token for new tokens, once for every request that saw
    /// `seen_generation`: later callers find the generation moved and reuse the result.
    pub async fn refresh(&self, seen_generation: u64) -> Result<(), Error> {
        let mut failed_generation = self.0.refresh_lock.lock().await;
        let current = self.0.generation.load(Ordering::SeqCst);
        if current != seen_generation {
            // Someone refreshed while this request waited: reuse the outcome.
            return match *failed_generation {
                Some(g) if g == current => {
                    Err(Error::Config("the shared token refresh failed".into()))
                }
                _ => Ok(()),
            };
        }
        let result = self.refresh_now().await;
        if result.is_err() {
            // Move the generation so waiters see that the refresh happened (and failed).
            let failed = self.0.generation.fetch_add(1, Ordering::SeqCst) + 1;
            *failed_generation = Some(failed);
        } else {
            *failed_generation = None;
        }
        result
    }

    async fn refresh_now(&self) -> Result<(), Error> {
        let refresh_token = self.tokens().and_then(|t| t.refresh_token).ok_or_else(|| {
            Error::Config("no refresh token to renew the access token with".into())
        })?;
        if self.0.refresh_path.is_empty() {
            return Err(Error::Config("the spec names no refresh operation".into()));
        }
        let mut request = self
            .0
            .http
            .post(format!("{}{}", self.0.base_url, self.0.refresh_path))
            .json(&serde_json::json!({ "refresh_token": refresh_token.expose() }))
            .build()
            .map_err(Error::Transport)?;
        let without_bearer: Vec<&[Scheme]> = self
            .0
            .refresh_security
            .iter()
            .copied()
            .filter(|alt| !alt.contains(&Scheme::Bearer))
            .collect();
        self.authorize(&mut request, &without_bearer);
        let response = self
            .0
            .http
            .execute(request)
            .await
            .map_err(Error::Transport)?;
        let status = response.status();
        let body = read_capped(response, MAX_TOKEN_BODY)
            .await
            .map_err(Error::Transport)?;
        if !status.is_success() {
            return Err(Error::from_body(status, &body));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|source| Error::Decode {
                status: Some(status),
                source,
            })?;
        let mut tokens = Tokens::from_json(&value)
            .ok_or_else(|| Error::Config("the refresh response carries no access_token".into()))?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token);
        }
        self.set_tokens(Some(tokens.clone()));
        self.save_tokens(&tokens);
        Ok(())
    }

    /// Hands tokens the runtime obtained itself to the [`TokenStore`], if one is set.
    pub(crate) fn save_tokens(&self, tokens: &Tokens) {
        if let Some(store) = &self.0.token_store.0 {
            store.save(tokens);
        }
    }

    /// The current token generation (for [`Runtime::refresh`]).
    pub fn token_generation(&self) -> u64 {
        self.0.generation.load(Ordering::SeqCst)
    }

    /// Builds a JSON POST to `path` with the credentials `security` names (for flows the
    /// runtime drives itself, such as the device flow).
    pub(crate) fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        security: &[&[Scheme]],
    ) -> Result<Request, Error> {
        let mut request = self
            .0
            .http
            .post(format!("{}{}", self.0.base_url, path))
            .json(body)
            .build()
            .map_err(Error::Transport)?;
        self.authorize(&mut request, security);
        Ok(request)
    }
}

/// The body of an error response, read once by the runtime and kept in the response's
/// extensions, so that an error the generated code does not decode (a status the operation
/// does not declare) still yields the envelope.
#[derive(Debug, Clone)]
pub struct ErrorBody(pub bytes::Bytes);

/// Reads an error response's body. A body that is not JSON with an `error` member (a proxy's
/// plain-text 404, an HTML 502 page) is presented as the API's envelope, code from the status
/// and message from the text, so that the generated code decodes it with its status intact.
async fn buffer_error_body(response: Response) -> reqwest::Result<Response> {
    let status = response.status();
    let version = response.version();
    let mut headers = response.headers().clone();
    let mut body = read_capped(response, MAX_ERROR_BODY).await?;
    let is_envelope = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .is_some_and(|v| v.get("error").is_some());
    if !is_envelope
        && let Error::Api {
            code,
            message,
            details,
            ..
        } = Error::from_body(status, &body)
    {
        let details = if details.is_null() {
            serde_json::json!({})
        } else {
            details
        };
        let envelope = serde_json::json!({ "error": { "code": code, "message": message, "details": details } });
        body = bytes::Bytes::from(envelope.to_string());
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.remove(reqwest::header::CONTENT_LENGTH);
    }
    let mut rebuilt = http::Response::new(reqwest::Body::from(body.clone()));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().insert(ErrorBody(body));
    Ok(Response::from(rebuilt))
}

/// The body of `response`, at most `limit` bytes of it: a server cannot make the client
/// buffer an endless body. The rest is left unread (the connection is then not reused).
pub(crate) async fn read_capped(
    mut response: Response,
    limit: usize,
) -> reqwest::Result<bytes::Bytes> {
    let mut body = bytes::BytesMut::new();
    while body.len() < limit {
        let Some(chunk) = response.chunk().await? else {
            break;
        };
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(body.freeze())
}

/// Follows redirects only within the origin (scheme, host and port) of the first request, at
/// most [`MAX_REDIRECTS`] of them: credentials never reach another host, and `https` is never
/// downgraded to `http`. A redirect elsewhere is not followed: its 3xx response is the answer.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}
