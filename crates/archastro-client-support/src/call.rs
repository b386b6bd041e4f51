//! One operation's call, as every generated `send_with_response` makes it: the per-request
//! settings its builder holds ([`RequestSettings`]: a timeout and a retry policy that replace
//! the client's for this call), and the decoding of the answer into a `ResponseValue` or the
//! one [`Error`]. The generated code keeps only what differs between operations (the URL,
//! parameters and body, the success statuses and the kind of success body).

use std::future::Future;
use std::time::Duration;

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::Response;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::retry::RetryPolicy;
use super::runtime::{ErrorBody, MAX_ERROR_BODY, read_capped};

/// Settings of one request that replace the client's (see `Builder::timeout` and
/// `Builder::retry_policy` of the generated client). Every operation builder holds one and
/// sets it with its `timeout` and `retry_policy` methods.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSettings {
    /// The timeout of each attempt of this request, from sending it to the end of its body.
    pub timeout: Option<Duration>,
    /// The retries of this request.
    pub retry_policy: Option<RetryPolicy>,
}

tokio::task_local! {
    static CURRENT: RequestSettings;
}

/// Runs `send` (a request's trip through the runtime) with `settings`: the runtime's request
/// loop reads them (`retry_policy`) and the attempts carry the timeout.
pub async fn scoped<F: Future>(settings: RequestSettings, send: F) -> F::Output {
    CURRENT.scope(settings, send).await
}

/// The retry policy of the request in flight, when its builder set one.
pub(crate) fn retry_policy() -> Option<RetryPolicy> {
    CURRENT
        .try_with(|settings| settings.retry_policy.clone())
        .ok()
        .flatten()
}

/// Gives `request` the timeout of the request in flight, when its builder set one.
pub(crate) fn apply(request: &mut reqwest::Request) {
    if let Ok(Some(timeout)) = CURRENT.try_with(|settings| settings.timeout) {
        *request.timeout_mut() = Some(timeout);
    }
}

/// `response` when its status is one `success` accepts (the statuses the operation declares
/// for its answer), else the error it carries: the API's envelope (the runtime kept the body
/// of every 4xx and 5xx), or a status the operation does not declare.
async fn accepted(response: Response, success: fn(u16) -> bool) -> Result<Response, Error> {
    let status = response.status();
    if success(status.as_u16()) {
        return Ok(response);
    }
    if let Some(body) = response.extensions().get::<ErrorBody>() {
        return Err(Error::from_body(status, &body.0));
    }
    if status.is_client_error() || status.is_server_error() {
        let body = read_capped(response, MAX_ERROR_BODY)
            .await
            .map_err(Error::Transport)?;
        return Err(Error::from_body(status, &body));
    }
    Err(Error::Api {
        status,
        code: status
            .canonical_reason()
            .unwrap_or("unexpected_status")
            .to_ascii_lowercase()
            .replace(' ', "_"),
        message: format!("status {status} is not declared for this operation"),
        details: serde_json::Value::Null,
    })
}

/// A JSON success body, decoded as `T`.
pub async fn json<T: DeserializeOwned>(
    response: Response,
    success: fn(u16) -> bool,
) -> Result<ResponseValue<T>, Error> {
    let response = accepted(response, success).await?;
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.map_err(Error::Transport)?;
    let inner = serde_json::from_slice(&body).map_err(|source| Error::Decode {
        status: Some(status),
        source,
    })?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// A success without a body.
pub async fn empty(
    response: Response,
    success: fn(u16) -> bool,
) -> Result<ResponseValue<()>, Error> {
    Ok(ResponseValue::empty(accepted(response, success).await?))
}

/// A success body read as it arrives (a download, an event stream).
pub async fn stream(
    response: Response,
    success: fn(u16) -> bool,
) -> Result<ResponseValue<ByteStream>, Error> {
    Ok(ResponseValue::stream(accepted(response, success).await?))
}

/// A protocol upgrade (`101 Switching Protocols`).
pub async fn upgrade(
    response: Response,
    success: fn(u16) -> bool,
) -> Result<ResponseValue<reqwest::Upgraded>, Error> {
    ResponseValue::upgrade::<()>(accepted(response, success).await?)
        .await
        .map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &'static str) -> Response {
        let mut response = http::Response::new(reqwest::Body::from(body));
        *response.status_mut() = reqwest::StatusCode::from_u16(status).unwrap();
        Response::from(response)
    }

    fn ok(status: u16) -> bool {
        status == 200
    }

    #[tokio::test]
    async fn a_declared_status_decodes_its_body() {
        let value: ResponseValue<serde_json::Value> =
            json(response(200, r#"{"id": "thr_1"}"#), ok).await.unwrap();
        assert_eq!(
            (value.status().as_u16(), &value["id"]),
            (200, &serde_json::json!("thr_1"))
        );
        let error = json::<Vec<u8>>(response(200, "{}"), ok).await.unwrap_err();
        assert!(
            matches!(error, Error::Decode { status: Some(s), .. } if s == 200),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn another_status_is_the_error_it_carries() {
        let envelope = r#"{"error": {"code": "not_found", "message": "gone", "details": {}}}"#;
        let error = empty(response(404, envelope), ok).await.unwrap_err();
        assert_eq!(
            (error.status().map(|s| s.as_u16()), error.code()),
            (Some(404), Some("not_found"))
        );
        let Err(error) = stream(response(202, ""), ok).await else {
            panic!("202 is not declared")
        };
        assert_eq!(error.code(), Some("accepted"));
        assert!(error.to_string().contains("not declared"), "{error}");
    }

    #[tokio::test]
    async fn an_upgrade_needs_its_status_and_a_connection() {
        let switching = |status: u16| status == 101;
        let envelope = r#"{"error": {"code": "forbidden", "message": "no", "details": {}}}"#;
        let Err(error) = upgrade(response(403, envelope), switching).await else {
            panic!("403 is not an upgrade")
        };
        assert_eq!(error.code(), Some("forbidden"));
        // A 101 that no connection stands behind fails as a transport error.
        let Err(error) = upgrade(response(101, ""), switching).await else {
            panic!("nothing to upgrade")
        };
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
    }

    #[tokio::test]
    async fn settings_hold_within_their_scope_only() {
        let settings = RequestSettings {
            timeout: Some(Duration::from_millis(250)),
            retry_policy: Some(RetryPolicy::none()),
        };
        let mut request =
            reqwest::Request::new(reqwest::Method::GET, "http://a.test/".parse().unwrap());
        let policy = scoped(settings, async {
            apply(&mut request);
            retry_policy()
        })
        .await;
        assert_eq!(policy, Some(RetryPolicy::none()));
        assert_eq!(request.timeout(), Some(&Duration::from_millis(250)));
        assert_eq!(retry_policy(), None);
    }
}
