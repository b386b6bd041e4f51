//! The generated server traits behind their axum router, on 127.0.0.1: a partial implementation
//! compiles and serves; authentication runs before handlers (401 missing/invalid, 403
//! forbidden); every framework failure (404, 405, 400, 422, 413, 501), a path segment that is
//! not UTF-8 among them, answers in the envelope.

use std::sync::Arc;

use archastro_server::runtime::{self, GetCurrentUserRequest, GetCurrentUserResponse, RuntimeApi};
use archastro_server::{ApiError, AuthError, Principal, RequestContext, ServerConfig, auth, developer, types};
use serde_json::{Value, json};

/// Accepts `pk_test`, `sk_test` and the bearer `jwt_ok`; `jwt_limited` is valid but forbidden.
struct Keys;

impl archastro_server::Authenticator for Keys {
    async fn bearer_auth(&self, token: &str) -> Result<Principal, AuthError> {
        match token {
            "jwt_ok" => Ok(Principal { subject: "usr_1".into(), scheme: "bearerAuth".into(), claims: json!({}) }),
            "jwt_limited" => Err(AuthError::Forbidden("this token may not read users".into())),
            _ => Err(AuthError::Invalid("unknown token".into())),
        }
    }
    async fn publishable_key(&self, key: &str) -> Result<Principal, AuthError> {
        if key == "pk_test" { Ok(Principal { subject: "app_1".into(), scheme: "publishableKey".into(), claims: json!({}) }) } else { Err(AuthError::Invalid("unknown key".into())) }
    }
    async fn secret_key(&self, key: &str) -> Result<Principal, AuthError> {
        if key == "sk_test" { Ok(Principal { subject: "app_1".into(), scheme: "secretKey".into(), claims: json!({}) }) } else { Err(AuthError::Invalid("unknown key".into())) }
    }
}

/// Implements one runtime operation; everything else keeps its 501 default.
struct OnlyMe;

impl RuntimeApi for OnlyMe {
    async fn get_current_user(&self, ctx: &RequestContext, _: GetCurrentUserRequest) -> Result<GetCurrentUserResponse, ApiError> {
        let subject = ctx.principal.as_ref().map(|p| p.subject.clone()).unwrap_or_default();
        let user: types::User = serde_json::from_value(json!({
            "id": subject, "app": "app_1", "email": "ada@example.com", "email_verified": true,
            "is_system_user": false, "metadata": {}, "status": "active", "timezone": "UTC",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "alias": null, "avatar_url": null, "name": null, "org": null, "org_role": null, "sandbox": null
        }))
        .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(GetCurrentUserResponse::Ok(user))
    }
}

struct NoAuth;
impl auth::AuthApi for NoAuth {}
struct NoDeveloper;
impl developer::DeveloperApi for NoDeveloper {}

async fn serve(config: ServerConfig) -> String {
    let app = archastro_server::router(Arc::new(Keys), config, Arc::new(NoAuth), Arc::new(OnlyMe), Arc::new(NoDeveloper));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Status and envelope of a response, asserting the envelope's shape.
async fn envelope(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json", "status {status}");
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{body}");
    (status, body)
}

#[test]
fn unimplemented_operations_lists_what_is_left() {
    let left = runtime::unimplemented_operations(&OnlyMe);
    assert!(!left.contains(&"get_current_user"));
    assert_eq!(left.len(), runtime::OPERATIONS.len() - 1, "{left:?}");
    assert_eq!(auth::unimplemented_operations(&NoAuth).len(), auth::OPERATIONS.len());
}

#[tokio::test]
async fn framework_failures_answer_in_the_envelope() {
    let url = serve(ServerConfig { body_limit: 1024 }).await;
    let http = reqwest::Client::new();

    let (status, body) = envelope(http.get(format!("{url}/no/such/route")).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));

    let (status, _) = envelope(http.get(format!("{url}/api/v2/users/me")).send().await.unwrap()).await;
    assert_eq!(status, 401, "no credentials");
    let (status, _) = envelope(http.get(format!("{url}/api/v2/users/me")).bearer_auth("jwt_nope").send().await.unwrap()).await;
    assert_eq!(status, 401, "invalid credentials");
    let (status, body) = envelope(http.get(format!("{url}/api/v2/users/me")).bearer_auth("jwt_limited").send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));

    let me: Value = http.get(format!("{url}/api/v2/users/me")).bearer_auth("jwt_ok").send().await.unwrap().json().await.unwrap();
    assert_eq!(me["id"], "usr_1");

    let login = format!("{url}/api/v2/auth/login");
    let (status, _) = envelope(http.post(&login).header("x-api-key", "pk_test").header("content-type", "application/json").body("{not json").send().await.unwrap()).await;
    assert_eq!(status, 400, "malformed JSON");
    let (status, body) = envelope(http.post(&login).header("x-api-key", "pk_test").json(&json!({"email": 5})).send().await.unwrap()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"]["fields"]["email"][0].is_string(), "{body}");
    let (status, _) = envelope(http.post(&login).header("x-api-key", "pk_test").body(vec![b' '; 4096]).send().await.unwrap()).await;
    assert_eq!(status, 413, "over the body limit");
    let (status, body) = envelope(http.post(&login).header("x-api-key", "pk_test").json(&json!({"email": "a@example.com", "password": "correct horse battery"})).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (501, Some("not_implemented")));

    let (status, _) = envelope(http.delete(format!("{url}/api/v2/users/me")).bearer_auth("jwt_ok").send().await.unwrap()).await;
    assert_eq!(status, 405);
    let (status, _) = envelope(http.get(format!("{url}/api/v2/teams?limit=0")).bearer_auth("jwt_ok").send().await.unwrap()).await;
    assert_eq!(status, 400, "limit below its minimum");
    let (status, body) = envelope(http.get(format!("{url}/api/v2/users/%ff%fe")).bearer_auth("jwt_ok").send().await.unwrap()).await;
    assert_eq!((status, body["error"]["details"]["location"].as_str()), (400, Some("path")), "a segment that is not UTF-8: {body}");
}

/// A response that declares headers is a struct variant; the headers are sent.
#[test]
fn declared_response_headers_are_sent() {
    use axum::response::IntoResponse;
    let body: types::ErrorEnvelope =
        serde_json::from_value(json!({"error": {"code": "rate_limited", "message": "slow down", "details": {}}})).unwrap();
    let response = auth::LoginResponse::TooManyRequests { body, retry_after: Some("30".into()) }.into_response();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "30");
}
