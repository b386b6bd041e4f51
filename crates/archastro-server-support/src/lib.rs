//! The hand-written runtime under the generated server traits (`archastro-server`): the
//! request context handed to every operation, authentication outcomes, the one JSON error
//! envelope (`{"error": {"code", "message", "details"}}`) that every failure renders as, the
//! extraction of path, query and body (400 for malformed input, 422 with field paths for a body
//! that does not match its schema, 413 over the body limit; array and object path parameters as
//! `style: simple` writes them, [`simple_array`], [`simple_object`] and
//! [`simple_object_exploded`]), the 404/405 fallbacks, and the `NotImplemented` answer of
//! operations an implementation leaves out.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, Uri, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

mod segment;

pub use segment::{simple_array, simple_object, simple_object_exploded};

/// Request bodies larger than this answer 413 unless the router is configured otherwise.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Who is calling: what the [`Authenticator`](crate) of the generated crate returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// A stable id of the caller (`usr_...`, `app_...`).
    pub subject: String,
    /// The security scheme that authenticated it (`bearerAuth`, `secretKey`, ...).
    pub scheme: String,
    /// Anything else the authenticator knows (roles, app id, token claims).
    pub claims: Value,
}

/// Why authentication failed: missing or invalid credentials answer 401, credentials that
/// are valid but not allowed here answer 403. The handler never runs in either case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    Missing,
    Invalid(String),
    Forbidden(String),
}

impl AuthError {
    pub fn into_api_error(self) -> ApiError {
        match self {
            AuthError::Missing => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "authentication required",
            ),
            AuthError::Invalid(m) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m),
            AuthError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
        }
    }
}

/// What every operation gets besides its typed request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// From the `x-request-id` header, or generated.
    pub request_id: String,
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    /// `None` for operations without security requirements.
    pub principal: Option<Principal>,
}

impl RequestContext {
    pub fn new(parts: &Parts, principal: Option<Principal>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("req_{:012x}", NEXT.fetch_add(1, Ordering::Relaxed)));
        RequestContext {
            request_id,
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
            principal,
        }
    }
}

/// Every failure an operation or the framework answers with, rendered as the envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            details: json!({}),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn validation(message: impl Into<String>, details: Value) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        )
        .with_details(details)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    /// The answer of an operation the implementation leaves out.
    pub fn not_implemented(operation: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_implemented",
            format!("`{operation}` is not implemented by this server"),
        )
        .with_details(json!({ "operation": operation }))
    }

    /// The envelope.
    pub fn body(&self) -> Value {
        json!({ "error": { "code": self.code, "message": self.message, "details": self.details } })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A JSON response with `status`.
pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => ApiError::internal(format!("response does not serialize: {e}")).into_response(),
    }
}

/// The future the generated default methods return: resolves at once to
/// [`ApiError::not_implemented`]. Its type name is how `unimplemented_operations` tells a
/// default method from an implemented one without running anything.
pub struct NotImplemented<T> {
    operation: &'static str,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> NotImplemented<T> {
    pub fn new(operation: &'static str) -> Self {
        NotImplemented {
            operation,
            _marker: std::marker::PhantomData,
        }
    }
}

impl<T> Future for NotImplemented<T> {
    type Output = Result<T, ApiError>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Err(ApiError::not_implemented(self.operation)))
    }
}

/// True when `future` is the default body of a generated method (never polled).
pub fn is_not_implemented<F>(future: &F) -> bool {
    std::any::type_name_of_val(future).contains("archastro_server_support::NotImplemented<")
}

/// The path's raw parameters as the router extracted them, or why it could not (a segment
/// that is not UTF-8 once percent-decoded).
pub type RawPath =
    Result<axum::extract::Path<Vec<(String, String)>>, axum::extract::rejection::PathRejection>;

/// Path parameters as the operation declares them; a segment the router could not decode or a
/// value that does not parse answers 400, in the envelope (never axum's `text/plain`).
pub fn path_params<T: DeserializeOwned>(raw: RawPath) -> Result<T, ApiError> {
    let params = raw
        .map_err(|rejection| {
            ApiError::bad_request(format!("invalid path: {}", rejection.body_text()))
                .with_details(json!({ "location": "path" }))
        })?
        .0;
    let object: serde_json::Map<String, Value> = params
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let mut text = String::new();
    for (k, v) in &object {
        if !text.is_empty() {
            text.push('&');
        }
        text.push_str(
            &serde_urlencoded::to_string([(k, v.as_str().unwrap_or_default())]).unwrap_or_default(),
        );
    }
    serde_urlencoded::from_str(&text).map_err(|e| {
        ApiError::bad_request(format!("invalid path parameter: {e}"))
            .with_details(json!({ "location": "path" }))
    })
}

/// The query string as the operation declares it; a malformed or mistyped value answers 400.
pub fn query<T: DeserializeOwned>(uri: &Uri) -> Result<T, ApiError> {
    let raw = uri.query().unwrap_or_default();
    serde_urlencoded::from_str(raw).map_err(|e| {
        ApiError::bad_request(format!("invalid query: {e}"))
            .with_details(json!({ "location": "query" }))
    })
}

/// Reads the body within `limit` bytes (413 beyond).
pub async fn body_bytes(body: Body, limit: usize) -> Result<bytes::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
        .with_details(json!({ "limit": limit, "cause": e.to_string() }))
    })
}

/// Reads and decodes a required JSON body: 413 beyond `limit`, then as [`json_body`].
pub async fn required_body<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = body_bytes(body, limit).await?;
    json_body(&bytes)
}

/// Reads and decodes an optional JSON body: an empty body is `None`, anything else is
/// decoded as by [`required_body`].
pub async fn optional_body<T: DeserializeOwned>(
    body: Body,
    limit: usize,
) -> Result<Option<T>, ApiError> {
    let bytes = body_bytes(body, limit).await?;
    if bytes.is_empty() {
        return Ok(None);
    }
    json_body(&bytes).map(Some)
}

/// A JSON response with the status `code` (see [`status`]).
pub fn json(code: u16, body: &impl serde::Serialize) -> Response {
    json_response(status(code), body)
}

/// The status code `code` (generated responses only declare valid ones; anything else
/// would answer 500).
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Decodes a JSON body: malformed JSON answers 400; JSON that does not match the schema 422,
/// with `details.fields` mapping the field path to its messages (the spec's shape).
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError::bad_request(format!("malformed JSON body: {e}"))
            .with_details(json!({ "location": "body" })));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        ApiError::validation(
            format!("the request body does not match its schema at `{field}`"),
            json!({ "fields": { field: [e.inner().to_string()] } }),
        )
    })
}

/// The JSON 404 of the router's fallback.
pub async fn not_found_fallback(uri: Uri) -> Response {
    ApiError::not_found(format!("no route for `{}`", uri.path())).into_response()
}

/// The JSON 405 of routes that exist with other methods.
pub async fn method_not_allowed_fallback(method: Method, uri: Uri) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("`{method}` is not allowed on `{}`", uri.path()),
    )
    .into_response()
}

/// The bearer token of an `Authorization` header, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// The API key of a request: its header, or (as the API also accepts)
/// `Authorization: Bearer <api key>`.
pub fn api_key<'a>(headers: &'a HeaderMap, header: &str) -> Option<&'a str> {
    header_value(headers, header).or_else(|| bearer_token(headers))
}

/// The value of an API-key header, if any.
pub fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body1 {
        name: String,
        inner: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        size: u32,
    }

    #[test]
    fn body_errors_are_400_or_422_with_the_field() {
        assert_eq!(
            json_body::<Body1>(b"{not json").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let e = json_body::<Body1>(br#"{"name": "x", "inner": {"size": "big"}}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e.details["fields"]["inner.size"][0].is_string(),
            "{}",
            e.details
        );
    }

    #[test]
    fn default_futures_are_recognised() {
        let f = NotImplemented::<u8>::new("op");
        assert!(is_not_implemented(&f));
        assert!(!is_not_implemented(&async { 1 }));
    }
}
