//! The generated client and its hand-written runtime (`archastro-client-support`) against an
//! in-process axum server on 127.0.0.1: credentials per scope family, login and bearer tokens,
//! single-flight refresh, retries and `Retry-After`, timeouts, pagination streams, error
//! envelopes, redacted `Debug`, the OAuth device flow, and a hostile server (path
//! traversal, redirects, endless bodies, overflowing deadlines).
//!
//! Every test starts its own server ([`serve`]), which records every request it sees
//! ([`Log`]); responses are built from the spec's schemas (all required fields present).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use archastro_client::{ArchAstro, Error, RetryPolicy, TokenStore, Tokens, types};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use serde_json::{Value, json};

const PK: &str = "pk_live_publishable_7f3a";
const SK: &str = "sk_live_secret_9c1d";
const TS: &str = "2026-05-14T09:30:00Z";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

// ---------------------------------------------------------------------------------------------
// The test server
// ---------------------------------------------------------------------------------------------

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
    at: Instant,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn query(&self) -> HashMap<String, String> {
        let q = self.uri.query().unwrap_or("");
        q.split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }
}

/// Every request the server received, in arrival order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Seen>>>);

impl Log {
    fn all(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }

    fn to(&self, path: &str) -> Vec<Seen> {
        self.all()
            .into_iter()
            .filter(|s| s.uri.path() == path)
            .collect()
    }
}

async fn record(State(log): State<Log>, request: Request, next: Next) -> Response {
    let at = Instant::now();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    log.0.lock().unwrap().push(Seen {
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        headers: parts.headers.clone(),
        body: bytes.to_vec(),
        at,
    });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Serves `router` on 127.0.0.1 (a free port) for the rest of the test; returns the base URL
/// and the log of requests.
async fn serve(router: Router) -> (String, Log) {
    serve_at(|_| router).await
}

/// [`serve`] for a router that needs its own base URL.
async fn serve_at(router: impl FnOnce(&str) -> Router) -> (String, Log) {
    let log = Log::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = router(&base).layer(middleware::from_fn_with_state(log.clone(), record));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, log)
}

/// Retries that do not slow the tests down.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

// ---------------------------------------------------------------------------------------------
// Bodies, built from the spec's schemas
// ---------------------------------------------------------------------------------------------

/// `User`.
fn user_json() -> Value {
    json!({
        "id": "usr_1", "app": "app_1", "email": "ada@example.com", "email_verified": true,
        "name": "Ada Lovelace", "alias": null, "avatar_url": null, "timezone": "Europe/London",
        "status": "active", "org": null, "org_role": null, "sandbox": null,
        "is_system_user": false, "metadata": {}, "created_at": TS, "updated_at": TS
    })
}

/// `AuthTokens` (login and refresh).
fn auth_tokens_json(access: &str, refresh: &str) -> Value {
    json!({
        "access_token": access, "refresh_token": refresh, "token_type": "Bearer",
        "expires_in": 3600, "user": user_json()
    })
}

/// `TokenPair` (`/oauth/token`).
fn token_pair_json(access: &str, refresh: &str) -> Value {
    json!({
        "access_token": access, "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": refresh, "scope": "openid profile"
    })
}

/// `Message`.
fn message_json(id: &str) -> Value {
    json!({
        "id": id, "thread": "thr_1", "sender_type": "user", "user": "usr_1", "agent": null,
        "content": format!("content of {id}"), "attachments": [], "reply_to": null,
        "idempotency_key": null, "metadata": {}, "created_at": TS, "edited_at": null
    })
}

/// `Task`.
fn task_json(id: &str) -> Value {
    json!({
        "id": id, "team": "team_1", "title": format!("title of {id}"), "description": null,
        "status": "todo", "priority": null, "assignee": null, "thread": null,
        "created_by": "usr_1", "due_at": null, "completed_at": null, "metadata": {},
        "created_at": TS, "updated_at": TS
    })
}

/// `ErrorEnvelope`.
fn envelope(code: &str, message: &str, details: Value) -> Value {
    json!({ "error": { "code": code, "message": message, "details": details } })
}

fn login_body() -> types::builder::LoginRequest {
    types::LoginRequest::builder()
        .email("ada@example.com")
        .password("hunter2")
}

fn thread_body() -> types::builder::CreateThreadRequest {
    types::CreateThreadRequest::builder().title("Q3 launch")
}

/// No credential in a URL, ever.
fn assert_no_key_in_urls(log: &Log) {
    for seen in log.all() {
        let uri = seen.uri.to_string();
        for secret in [PK, SK, "pk_", "sk_", "x-api-key", "api_key"] {
            assert!(!uri.contains(secret), "`{secret}` in the request URL {uri}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Credentials per scope family
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn each_family_gets_the_key_its_operations_accept() {
    let router = Router::new()
        .route(
            "/api/v2/auth/login",
            post(|| async { axum::Json(auth_tokens_json("at_1", "rt_1")) }),
        )
        .route(
            "/api/v2/users/me",
            get(|| async { axum::Json(user_json()) }),
        )
        .route(
            "/protected/api/v2/developer/apps",
            get(|| async { axum::Json(json!({"data": [], "total": 0, "limit": 25, "offset": 0})) }),
        );
    let (base, log) = serve(router).await;

    // A publishable-key client calling an auth operation: `x-api-key: pk_...`, no Authorization.
    let public = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .build()
        .unwrap();
    public
        .auth()
        .login()
        .body(login_body())
        .send()
        .await
        .unwrap();
    let login = log.to("/api/v2/auth/login");
    assert_eq!(login.len(), 1);
    assert_eq!(login[0].method, Method::POST);
    assert_eq!(login[0].header("x-api-key"), Some(PK));
    assert_eq!(login[0].header("authorization"), None);
    assert_eq!(
        login[0].json(),
        json!({"email": "ada@example.com", "password": "hunter2"})
    );
    // A login does not store its tokens by itself.
    assert_eq!(public.support().tokens(), None);

    // A secret-key client calling a developer and a runtime operation: `x-api-key: sk_...`.
    let server = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let page = server
        .developer()
        .apps()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!((page.data.len(), page.total), (0, 0));
    let me = server
        .runtime()
        .users()
        .me()
        .send()
        .await
        .unwrap();
    assert_eq!(me.id, "usr_1");
    let apps = log.to("/protected/api/v2/developer/apps");
    let users = log.to("/api/v2/users/me");
    assert_eq!((apps.len(), users.len()), (1, 1));
    for seen in [&apps[0], &users[0]] {
        assert_eq!(seen.method, Method::GET);
        assert_eq!(seen.header("x-api-key"), Some(SK), "{}", seen.uri);
        assert_eq!(seen.header("authorization"), None, "{}", seen.uri);
    }

    // Keys only go where the spec accepts them: the secret key never reaches an auth operation,
    // the publishable key never reaches a runtime operation.
    server
        .auth()
        .login()
        .body(login_body())
        .send()
        .await
        .unwrap();
    let login = log.to("/api/v2/auth/login");
    assert_eq!(login.len(), 2);
    assert_eq!(login[1].header("x-api-key"), None);
    assert_eq!(login[1].header("authorization"), None);
    public.runtime().users().me().send().await.unwrap();
    let users = log.to("/api/v2/users/me");
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].header("x-api-key"), None);
    assert_eq!(users[1].header("authorization"), None);

    assert_eq!(log.all().len(), 5);
    assert_no_key_in_urls(&log);
    // Every operation sends the spec's version.
    assert!(log.all().iter().all(|s| s.header("api-version") == Some("2.0.0")));
}

// ---------------------------------------------------------------------------------------------
// 2. Login, then bearer
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_then_runtime_calls_send_the_access_token() {
    let router = Router::new()
        .route(
            "/api/v2/auth/login",
            post(|| async { axum::Json(auth_tokens_json("at_login", "rt_login")) }),
        )
        .route(
            "/api/v2/users/me",
            get(|| async { axum::Json(user_json()) }),
        );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .build()
        .unwrap();

    let response = api.auth().login().body(login_body()).send().await.unwrap();
    assert_eq!(response.access_token, "at_login");
    let stored = api.store_tokens(&response).unwrap();
    assert_eq!(stored, Tokens::new("at_login", Some("rt_login".into())));
    assert_eq!(api.support().tokens(), Some(stored));

    let me = api
        .runtime()
        .users()
        .me()
        .send()
        .await
        .unwrap();
    assert_eq!(me.email, "ada@example.com");
    let users = log.to("/api/v2/users/me");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].header("authorization"), Some("Bearer at_login"));
    // The publishable key is not a runtime credential.
    assert_eq!(users[0].header("x-api-key"), None);

    // Auth operations keep taking the publishable key, not the access token.
    api.auth().login().body(login_body()).send().await.unwrap();
    let login = log.to("/api/v2/auth/login");
    assert_eq!(login.len(), 2);
    assert_eq!(login[1].header("x-api-key"), Some(PK));
    assert_eq!(login[1].header("authorization"), None);
    assert_no_key_in_urls(&log);
}

// ---------------------------------------------------------------------------------------------
// 3. Single-flight refresh
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn concurrent_401s_share_one_refresh() {
    const N: usize = 20;
    let stale = Arc::new(AtomicUsize::new(0));
    let stale_in_handler = stale.clone();
    let router = Router::new()
        .route(
            "/api/v2/users/me",
            get(move |headers: HeaderMap| {
                let stale = stale_in_handler.clone();
                async move {
                    if headers
                        .get(header::AUTHORIZATION)
                        .is_some_and(|v| v == "Bearer at_fresh")
                    {
                        return json_response(StatusCode::OK, user_json());
                    }
                    // Hold every stale request until all N have arrived, so that they are all
                    // in flight with the expired token when the first 401 goes out.
                    stale.fetch_add(1, Ordering::SeqCst);
                    let start = Instant::now();
                    while stale.load(Ordering::SeqCst) < N
                        && start.elapsed() < Duration::from_secs(2)
                    {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    json_response(
                        StatusCode::UNAUTHORIZED,
                        envelope("unauthorized", "Access token expired", json!({})),
                    )
                }
            }),
        )
        .route(
            "/api/v2/auth/refresh",
            post(|| async {
                // Slow enough that the other 401s pile up behind the first refresh.
                tokio::time::sleep(Duration::from_millis(100)).await;
                axum::Json(auth_tokens_json("at_fresh", "rt_2"))
            }),
        );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .tokens(Tokens::new("at_expired", Some("rt_1".into())))
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let started = Instant::now();
    let results =
        futures::future::join_all((0..N).map(|_| api.runtime().users().me().send())).await;
    for result in results {
        assert_eq!(result.unwrap().id, "usr_1");
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let refreshes = log.to("/api/v2/auth/refresh");
    assert_eq!(
        refreshes.len(),
        1,
        "exactly one refresh for {N} concurrent 401s"
    );
    assert_eq!(refreshes[0].json(), json!({"refresh_token": "rt_1"}));
    assert_eq!(refreshes[0].header("x-api-key"), Some(PK));
    assert_eq!(refreshes[0].header("authorization"), None);

    // N attempts with the expired token, then each request retried once with the new one.
    let users = log.to("/api/v2/users/me");
    assert_eq!(users.len(), 2 * N);
    let (old, new) = users.split_at(N);
    assert!(
        old.iter()
            .all(|s| s.header("authorization") == Some("Bearer at_expired"))
    );
    assert!(
        new.iter()
            .all(|s| s.header("authorization") == Some("Bearer at_fresh"))
    );
    assert!(new.iter().all(|s| s.at >= refreshes[0].at));
    assert_eq!(stale.load(Ordering::SeqCst), N);
    assert_eq!(
        api.support().tokens(),
        Some(Tokens::new("at_fresh", Some("rt_2".into())))
    );
    assert_no_key_in_urls(&log);
}

/// A `/api/v2/users/me` that holds each request until `n` have arrived, then answers 401.
fn unauthorized_after(n: usize) -> Router {
    let arrived = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/api/v2/users/me",
        get(move || {
            let arrived = arrived.clone();
            async move {
                arrived.fetch_add(1, Ordering::SeqCst);
                let start = Instant::now();
                while arrived.load(Ordering::SeqCst) < n && start.elapsed() < Duration::from_secs(2)
                {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                json_response(
                    StatusCode::UNAUTHORIZED,
                    envelope("unauthorized", "Access token expired", json!({})),
                )
            }
        }),
    )
}

#[tokio::test]
async fn a_401_without_a_refresh_token_or_bearer_is_final() {
    let router = unauthorized_after(1).route(
        "/api/v2/auth/refresh",
        post(|| async { axum::Json(auth_tokens_json("at_fresh", "rt_2")) }),
    );
    let (base, log) = serve(router).await;

    // A bare bearer token: nothing to refresh with.
    let bare = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .bearer("at_expired")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let error = bare.runtime().users().me().send().await.unwrap_err();
    assert_eq!(error.code(), Some("unauthorized"));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let users = log.to("/api/v2/users/me");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].header("authorization"), Some("Bearer at_expired"));

    // A secret key is not a token: its 401 is final too.
    let server = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let error = server
            .runtime()
            .users()
            .me()
            .send()
            .await
            .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let users = log.to("/api/v2/users/me");
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].header("x-api-key"), Some(SK));
    assert!(
        log.to("/api/v2/auth/refresh").is_empty(),
        "no refresh without a refresh token"
    );
}

/// When the refresh itself fails (revoked refresh token), the requests that waited for it
/// must not each try again with the same single-use refresh token.
#[tokio::test]
async fn a_failed_refresh_is_single_flight_too() {
    const N: usize = 20;
    let router = unauthorized_after(N).route(
        "/api/v2/auth/refresh",
        post(|| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            json_response(
                StatusCode::UNAUTHORIZED,
                envelope("unauthorized", "Refresh token revoked", json!({})),
            )
        }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .tokens(Tokens::new("at_expired", Some("rt_1".into())))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let results =
        futures::future::join_all((0..N).map(|_| api.runtime().users().me().send())).await;
    for result in results {
        let error = result.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error:?}");
    }
    assert_eq!(log.to("/api/v2/users/me").len(), N);
    assert_eq!(
        log.to("/api/v2/auth/refresh").len(),
        1,
        "one refresh for {N} concurrent 401s"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Retries of idempotent requests, Retry-After
// ---------------------------------------------------------------------------------------------

/// A `/api/v2/users/me` that answers `failures[i]` (status, Retry-After) to attempt `i`, then
/// the user.
fn flaky_user_route(failures: Vec<(StatusCode, Option<&'static str>)>) -> Router {
    let calls = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/api/v2/users/me",
        get(move || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let failure = failures.get(n).copied();
            async move {
                match failure {
                    None => json_response(StatusCode::OK, user_json()),
                    Some((status, retry_after)) => {
                        let mut response = json_response(
                            status,
                            envelope("unavailable", "Try again later", json!({})),
                        );
                        if let Some(secs) = retry_after {
                            response
                                .headers_mut()
                                .insert(header::RETRY_AFTER, secs.parse().unwrap());
                        }
                        response
                    }
                }
            }
        }),
    )
}

#[tokio::test]
async fn get_is_retried_on_503_honouring_retry_after() {
    let (base, log) = serve(flaky_user_route(vec![
        (StatusCode::SERVICE_UNAVAILABLE, Some("1")),
        (StatusCode::SERVICE_UNAVAILABLE, Some("0")),
    ]))
    .await;
    // A backoff of 2.5-5 s: finishing within 2.5 s proves the waits came from Retry-After.
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(5),
        })
        .build()
        .unwrap();

    let started = Instant::now();
    let me = api
        .runtime()
        .users()
        .me()
        .send()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(me.id, "usr_1");
    let attempts = log.to("/api/v2/users/me");
    assert_eq!(attempts.len(), 3, "succeeds on the third attempt");
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    let first_gap = attempts[1].at - attempts[0].at;
    let second_gap = attempts[2].at - attempts[1].at;
    assert!(
        first_gap >= Duration::from_secs(1),
        "Retry-After: 1 waited {first_gap:?}"
    );
    assert!(
        second_gap < Duration::from_millis(500),
        "Retry-After: 0 waited {second_gap:?}"
    );
    // Every attempt carries the credential again.
    assert!(attempts.iter().all(|s| s.header("x-api-key") == Some(SK)));
}

#[tokio::test]
async fn get_retries_stop_after_max_retries() {
    let (base, log) = serve(flaky_user_route(vec![
        (StatusCode::BAD_GATEWAY, None),
        (StatusCode::TOO_MANY_REQUESTS, Some("0")),
        (StatusCode::GATEWAY_TIMEOUT, None),
        (StatusCode::SERVICE_UNAVAILABLE, Some("0")),
        (StatusCode::SERVICE_UNAVAILABLE, Some("0")),
    ]))
    .await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let error = api.runtime().users().me().send().await.unwrap_err();
    // 1 + max_retries (3) attempts; the last answer surfaces.
    assert_eq!(log.to("/api/v2/users/me").len(), 4);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
}

#[tokio::test]
async fn retry_after_beyond_the_policy_cap_is_not_waited_for() {
    not_waited_for("120").await;
}

#[tokio::test]
async fn retry_after_as_a_far_http_date_is_not_waited_for() {
    not_waited_for("Fri, 01 Jan 2100 00:00:00 GMT").await;
}

/// A 429 whose `Retry-After: retry_after` is beyond the policy's cap is returned at once.
async fn not_waited_for(retry_after: &'static str) {
    let (base, log) = serve(flaky_user_route(vec![(
        StatusCode::TOO_MANY_REQUESTS,
        Some(retry_after),
    )]))
    .await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = api.runtime().users().me().send().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(log.to("/api/v2/users/me").len(), 1);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{error:?}");
}

#[tokio::test]
async fn a_requests_retry_policy_replaces_the_clients() {
    let (base, log) = serve(flaky_user_route(vec![
        (StatusCode::SERVICE_UNAVAILABLE, Some("0")),
        (StatusCode::SERVICE_UNAVAILABLE, Some("0")),
        (StatusCode::SERVICE_UNAVAILABLE, Some("0")),
    ]))
    .await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    // The client's policy: one attempt.
    let error = api.runtime().users().me().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    assert_eq!(log.to("/api/v2/users/me").len(), 1);
    // This request's own policy: retried through the two other 503s.
    let me = api
        .runtime()
        .users().me()
        .retry_policy(fast_retries())
        .send()
        .await
        .unwrap();
    assert_eq!(me.id, "usr_1");
    assert_eq!(log.to("/api/v2/users/me").len(), 4);
}

// ---------------------------------------------------------------------------------------------
// 5. No retry of POST
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn post_is_not_retried_on_503() {
    let router = Router::new().route(
        "/api/v2/users/{user_id}/threads",
        post(|| async {
            let mut response = json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                envelope("unavailable", "Try again later", json!({})),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, "0".parse().unwrap());
            response
        }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(fast_retries())
        .build()
        .unwrap();

    let error = api
        .runtime()
        .user("usr_1")
        .threads()
        .create()
        .body(thread_body())
        .send()
        .await;
    let error = error.unwrap_err();
    let attempts = log.to("/api/v2/users/usr_1/threads");
    assert_eq!(attempts.len(), 1, "a POST is sent exactly once");
    assert_eq!(attempts[0].method, Method::POST);
    assert_eq!(attempts[0].json(), json!({"title": "Q3 launch"}));
    match &error {
        Error::Api { status, .. } => assert_eq!(status.as_u16(), 503),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Timeout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_slow_answer_times_out_as_a_transport_error() {
    let router = Router::new().route(
        "/api/v2/users/me",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            axum::Json(user_json())
        }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .timeout(Duration::from_millis(300))
        .retry_policy(fast_retries())
        .build()
        .unwrap();

    let started = Instant::now();
    let error = api.runtime().users().me().send().await.unwrap_err();
    let elapsed = started.elapsed();
    match &error {
        Error::Transport(e) => assert!(e.is_timeout(), "{e:?}"),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert_eq!(error.status(), None);
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
    // A timeout is not a connection error: the request is not sent again.
    assert_eq!(log.to("/api/v2/users/me").len(), 1);
}

#[tokio::test]
async fn a_requests_timeout_replaces_the_clients() {
    let router = Router::new().route(
        "/api/v2/users/me",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(700)).await;
            axum::Json(user_json())
        }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // A longer timeout for this request: the slow answer arrives.
    let me = api
        .runtime()
        .users().me()
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(me.id, "usr_1");
    // The client's timeout for the next one.
    let started = Instant::now();
    let error = api.runtime().users().me().send().await.unwrap_err();
    match &error {
        Error::Transport(e) => assert!(e.is_timeout(), "{e:?}"),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_millis(650),
        "{:?}",
        started.elapsed()
    );
    // A shorter one than the client's (30 s by default).
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = api
        .runtime()
        .users().me()
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.is_timeout()),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(log.to("/api/v2/users/me").len(), 3);
}

// ---------------------------------------------------------------------------------------------
// 7. Cursor stream
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn cursor_stream_walks_three_pages_until_the_cursor_is_null() {
    let router = Router::new().route(
        "/api/v2/users/{user_id}/threads/{thread_id}/messages",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            let (ids, before, after, more): (&[&str], Value, Value, bool) =
                match q.get("after_cursor").map(String::as_str) {
                    None => (
                        &["msg_1", "msg_2", "msg_3"],
                        Value::Null,
                        json!("cur_a"),
                        true,
                    ),
                    Some("cur_a") => (
                        &["msg_4", "msg_5", "msg_6"],
                        json!("msg_4"),
                        json!("cur_b"),
                        true,
                    ),
                    Some("cur_b") => (&["msg_7"], json!("msg_7"), Value::Null, false),
                    Some(other) => panic!("unexpected cursor {other}"),
                };
            let data: Vec<Value> = ids.iter().map(|id| message_json(id)).collect();
            axum::Json(json!({
                "data": data, "before_cursor": before, "after_cursor": after, "has_more": more
            }))
        }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();

    let stream = api
        .runtime()
        .user("usr_1")
        .thread("thr_1")
        .messages()
        .list()
        .limit(3u64)
        .stream();
    let ids: Vec<String> = stream.map(|m| m.unwrap().id).collect().await;
    assert_eq!(
        ids,
        [
            "msg_1", "msg_2", "msg_3", "msg_4", "msg_5", "msg_6", "msg_7"
        ]
    );

    let pages = log.to("/api/v2/users/usr_1/threads/thr_1/messages");
    assert_eq!(pages.len(), 3, "no request after the null cursor");
    let cursors: Vec<Option<String>> = pages
        .iter()
        .map(|p| p.query().get("after_cursor").cloned())
        .collect();
    assert_eq!(cursors, [None, Some("cur_a".into()), Some("cur_b".into())]);
    for page in &pages {
        assert_eq!(page.query().get("limit").map(String::as_str), Some("3"));
        assert_eq!(page.query().get("before_cursor"), None);
        assert_eq!(page.header("x-api-key"), Some(SK));
    }
}

/// `list_user_thread_messages` is documented as "newest first. Pass the page's `before_cursor`
/// ... to load older messages, or `after_cursor` to load newer ones", and `after_cursor` is
/// "`null` at the end". A server that follows that answers the first (newest) page with
/// `after_cursor: null` and `before_cursor` set: the stream must follow `before_cursor`.
#[tokio::test]
async fn cursor_stream_reads_a_newest_first_list_to_the_oldest_message() {
    let router = Router::new().route(
        "/api/v2/users/{user_id}/threads/{thread_id}/messages",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            let (ids, before, after, more): (&[&str], Value, Value, bool) =
                match q.get("before_cursor").map(String::as_str) {
                    None => (
                        &["msg_7", "msg_6", "msg_5"],
                        json!("msg_5"),
                        Value::Null,
                        true,
                    ),
                    Some("msg_5") => (
                        &["msg_4", "msg_3", "msg_2"],
                        json!("msg_2"),
                        json!("msg_4"),
                        true,
                    ),
                    Some("msg_2") => (&["msg_1"], Value::Null, json!("msg_1"), false),
                    Some(other) => panic!("unexpected cursor {other}"),
                };
            let data: Vec<Value> = ids.iter().map(|id| message_json(id)).collect();
            axum::Json(json!({
                "data": data, "before_cursor": before, "after_cursor": after, "has_more": more
            }))
        }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let stream = api
        .runtime()
        .user("usr_1")
        .thread("thr_1")
        .messages()
        .list()
        .limit(3u64)
        .stream();
    let ids: Vec<String> = stream.map(|m| m.unwrap().id).collect().await;
    assert_eq!(
        ids,
        [
            "msg_7", "msg_6", "msg_5", "msg_4", "msg_3", "msg_2", "msg_1"
        ]
    );
    assert_eq!(log.all().len(), 3);
}

// ---------------------------------------------------------------------------------------------
// 8. Offset stream
// ---------------------------------------------------------------------------------------------

/// `/api/v2/teams/{team_id}/tasks` over `total` tasks, honouring `offset` and `limit`.
fn tasks_route(total: usize) -> Router {
    Router::new().route(
        "/api/v2/teams/{team_id}/tasks",
        get(move |Query(q): Query<HashMap<String, String>>| async move {
            let offset: usize = q.get("offset").map_or(0, |o| o.parse().unwrap());
            let limit: usize = q.get("limit").map_or(25, |l| l.parse().unwrap());
            let data: Vec<Value> = (offset..total.min(offset + limit))
                .map(|i| task_json(&format!("tsk_{i}")))
                .collect();
            axum::Json(json!({ "data": data, "total": total, "limit": limit, "offset": offset }))
        }),
    )
}

fn offsets(log: &Log) -> Vec<String> {
    log.to("/api/v2/teams/team_1/tasks")
        .iter()
        .map(|p| {
            assert_eq!(p.query().get("limit").map(String::as_str), Some("3"));
            p.query().get("offset").cloned().unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn offset_stream_walks_three_pages_and_respects_total() {
    // 7 tasks: pages of 3, 3 and 1.
    let (base, log) = serve(tasks_route(7)).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let stream = api
        .runtime()
        .team("team_1")
        .tasks()
        .list()
        .limit(3u64)
        .stream();
    let ids: Vec<String> = stream.map(|t| t.unwrap().id).collect().await;
    let expected: Vec<String> = (0..7).map(|i| format!("tsk_{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(offsets(&log), ["0", "3", "6"]);

    // 9 tasks: three full pages; `total` says there is no fourth, so none is requested.
    let (base, log) = serve(tasks_route(9)).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let stream = api
        .runtime()
        .team("team_1")
        .tasks()
        .list()
        .limit(3u64)
        .stream();
    let ids: Vec<String> = stream.map(|t| t.unwrap().id).collect().await;
    let expected: Vec<String> = (0..9).map(|i| format!("tsk_{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(offsets(&log), ["0", "3", "6"]);
}

/// The cursor streams start from a cursor set on the builder; the offset streams drop a
/// starting `offset` and restart at 0.
#[tokio::test]
async fn offset_stream_from_starts_at_the_given_offset() {
    let (base, log) = serve(tasks_route(7)).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let stream = api
        .runtime()
        .team("team_1")
        .tasks()
        .list()
        .limit(3u64)
        .stream_from(3);
    let ids: Vec<String> = stream.map(|t| t.unwrap().id).collect().await;
    let expected: Vec<String> = (3..7).map(|i| format!("tsk_{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(offsets(&log), ["3", "6"]);
}

// ---------------------------------------------------------------------------------------------
// 9. Error envelopes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn error_envelopes_become_error_api() {
    let router = Router::new()
        .route(
            "/api/v2/users/{user_id}/threads/{thread_id}",
            get(|| async {
                json_response(
                    StatusCode::NOT_FOUND,
                    envelope(
                        "not_found",
                        "Thread not found",
                        json!({"thread_id": "thr_missing"}),
                    ),
                )
            }),
        )
        .route(
            "/api/v2/users/{user_id}/threads",
            post(|| async {
                json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    envelope(
                        "validation_failed",
                        "Validation failed",
                        json!({"fields": {"title": ["is too long"]}}),
                    ),
                )
            }),
        );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .retry_policy(fast_retries())
        .build()
        .unwrap();

    let error = api
        .runtime()
        .user("usr_1")
        .thread("thr_missing")
        .get()
        .send();
    let error = error.await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "404 Not Found: not_found: Thread not found"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.code(), Some("not_found"));
    match error {
        Error::Api {
            status,
            code,
            message,
            details,
        } => {
            assert_eq!(status.as_u16(), 404);
            assert_eq!(code, "not_found");
            assert_eq!(message, "Thread not found");
            assert_eq!(details, json!({"thread_id": "thr_missing"}));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }

    let error = api
        .runtime()
        .user("usr_1")
        .threads()
        .create()
        .body(thread_body())
        .send();
    let error = error.await.unwrap_err();
    match error {
        Error::Api {
            status,
            code,
            message,
            details,
        } => {
            assert_eq!(status.as_u16(), 422);
            assert_eq!(code, "validation_failed");
            assert_eq!(message, "Validation failed");
            assert_eq!(details, json!({"fields": {"title": ["is too long"]}}));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    // Client errors are not retried.
    assert_eq!(log.all().len(), 2);
}

/// The spec's `ErrorEnvelope` is "returned by every 4xx and 5xx response of the API", also for
/// the statuses an operation does not declare (503 on every operation, 429 on most GETs, 409
/// on most operations...): `send` decodes it into `Error::Api` all the same.
#[tokio::test]
async fn error_envelope_of_an_undeclared_status_is_kept() {
    let router = Router::new().route(
        "/api/v2/users/{user_id}/threads",
        post(|| async {
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                envelope("maintenance", "Back in 5 minutes", json!({"until": TS})),
            )
        }),
    );
    let (base, _log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let error = api
        .runtime()
        .user("usr_1")
        .threads()
        .create()
        .body(thread_body())
        .send();
    match error.await.unwrap_err() {
        Error::Api {
            status,
            code,
            message,
            details,
        } => {
            assert_eq!(status.as_u16(), 503);
            assert_eq!(code, "maintenance");
            assert_eq!(message, "Back in 5 minutes");
            assert_eq!(details, json!({"until": TS}));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// A declared error status whose body is not an envelope (a proxy's plain-text 404, an HTML
/// 500 page) must still report its status.
#[tokio::test]
async fn a_non_envelope_error_body_keeps_its_status() {
    let router = Router::new().route(
        "/api/v2/users/{user_id}/threads/{thread_id}",
        get(|| async { (StatusCode::NOT_FOUND, "Not Found") }),
    );
    let (base, _log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let error = api
        .runtime()
        .user("usr_1")
        .thread("thr_1")
        .get()
        .send();
    let error = error.await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error:?}");
}

// ---------------------------------------------------------------------------------------------
// 10. Redacted Debug
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn debug_output_never_shows_keys_or_tokens() {
    const AT: &str = "eyJhbGciOiJSUzI1NiJ9.access.sig";
    const RT: &str = "rt_refresh_4c1f9a7e";
    const AT2: &str = "eyJhbGciOiJSUzI1NiJ9.second.sig";
    let hidden = [
        PK,
        SK,
        AT,
        RT,
        AT2,
        "publishable_7f3a",
        "secret_9c1d",
        "access.sig",
        "4c1f9a7e",
    ];
    let check = |what: &str, shown: String| {
        for secret in hidden {
            assert!(!shown.contains(secret), "{what} shows `{secret}`: {shown}");
        }
    };

    let builder = ArchAstro::builder()
        .base_url("http://127.0.0.1:9")
        .publishable_key(PK)
        .secret_key(SK)
        .tokens(Tokens::new(AT, Some(RT.into())));
    check("Builder", format!("{builder:?}"));
    check("Builder (pretty)", format!("{builder:#?}"));
    let api = builder.build().unwrap();
    let shown = format!("{api:?}");
    check("ArchAstro", shown.clone());
    assert!(shown.contains("***"), "{shown}");
    check("ArchAstro (pretty)", format!("{api:#?}"));
    check("Runtime", format!("{:?}", api.support()));
    check("auth::Client", format!("{:?}", api.auth()));
    check("runtime::Client", format!("{:?}", api.runtime()));
    check("developer::Client", format!("{:?}", api.developer()));
    check("Tokens", format!("{:?}", api.support().tokens()));
    check(
        "Tokens (pretty)",
        format!("{:#?}", Tokens::new(AT, Some(RT.into()))),
    );

    api.support().set_tokens(Some(Tokens::new(AT2, None)));
    check("ArchAstro after new tokens", format!("{api:?}"));

    let bearer = ArchAstro::builder()
        .base_url("http://127.0.0.1:9")
        .bearer(AT);
    check("Builder with bearer", format!("{bearer:?}"));
    check(
        "ArchAstro with bearer",
        format!("{:?}", bearer.build().unwrap()),
    );
}

// ---------------------------------------------------------------------------------------------
// 11. Device flow
// ---------------------------------------------------------------------------------------------

/// `DeviceAuthorization` with `interval: 1`.
fn device_authorization_json() -> Value {
    json!({
        "device_code": "dev_GmRhmhcx", "user_code": "WDJB-MJHT",
        "verification_uri": "https://archastro.ai/device",
        "verification_uri_complete": "https://archastro.ai/device?user_code=WDJB-MJHT",
        "expires_in": 900, "interval": 1
    })
}

/// `/oauth/device/authorize` and an `/oauth/token` that answers `answers[i]` to poll `i`.
fn device_routes(answers: Vec<(StatusCode, Value)>) -> Router {
    device_routes_with(device_authorization_json(), answers)
}

/// [`device_routes`] with `/oauth/device/authorize` answering `authorization`.
fn device_routes_with(authorization: Value, answers: Vec<(StatusCode, Value)>) -> Router {
    let polls = Arc::new(AtomicUsize::new(0));
    Router::new()
        .route(
            "/oauth/device/authorize",
            post(move || {
                let authorization = authorization.clone();
                async move { axum::Json(authorization) }
            }),
        )
        .route(
            "/oauth/token",
            post(move || {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                let (status, body) = answers.get(n).cloned().unwrap_or((
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "too many polls"}),
                ));
                async move { json_response(status, body) }
            }),
        )
        .route(
            "/api/v2/users/me",
            get(|| async { axum::Json(user_json()) }),
        )
}

fn oauth_error(code: &str, description: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"error": code, "error_description": description}),
    )
}

/// Slow by design: interval 1 s, then `slow_down` adds the RFC 8628 5 s, so the three polls
/// come at ~1 s, ~2 s and ~8 s.
#[tokio::test]
async fn device_flow_polls_through_pending_and_slow_down() {
    let (base, log) = serve(device_routes(vec![
        oauth_error("authorization_pending", "The user has not approved yet."),
        oauth_error("slow_down", "Poll less often."),
        (StatusCode::OK, token_pair_json("at_device", "rt_device")),
    ]))
    .await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .build()
        .unwrap();

    let authorization = api
        .device_authorize("oac_cli", Some("openid profile"))
        .await
        .unwrap();
    assert_eq!(authorization.device_code, "dev_GmRhmhcx");
    assert_eq!(authorization.user_code, "WDJB-MJHT");
    assert_eq!(authorization.interval, 1);
    let tokens = api.device_poll("oac_cli", &authorization).await.unwrap();
    assert_eq!(tokens, Tokens::new("at_device", Some("rt_device".into())));
    assert_eq!(api.support().tokens(), Some(tokens));

    let authorize = log.to("/oauth/device/authorize");
    assert_eq!(authorize.len(), 1);
    assert_eq!(
        authorize[0].json(),
        json!({"client_id": "oac_cli", "scope": "openid profile"})
    );
    assert_eq!(authorize[0].header("x-api-key"), Some(PK));
    let polls = log.to("/oauth/token");
    assert_eq!(polls.len(), 3, "pending, slow_down, tokens");
    for poll in &polls {
        assert_eq!(poll.method, Method::POST);
        assert_eq!(poll.header("x-api-key"), Some(PK));
        assert_eq!(poll.header("authorization"), None);
        assert_eq!(
            poll.json(),
            json!({"grant_type": DEVICE_CODE_GRANT, "device_code": "dev_GmRhmhcx", "client_id": "oac_cli"})
        );
    }
    let gaps = [
        polls[0].at - authorize[0].at,
        polls[1].at - polls[0].at,
        polls[2].at - polls[1].at,
    ];
    assert!(gaps[0] >= Duration::from_secs(1), "{gaps:?}");
    assert!(
        gaps[1] >= Duration::from_secs(1) && gaps[1] < Duration::from_secs(3),
        "{gaps:?}"
    );
    // After slow_down: interval + 5 s.
    assert!(
        gaps[2] >= Duration::from_secs(6) && gaps[2] < Duration::from_secs(8),
        "{gaps:?}"
    );

    // The stored tokens are used.
    api.runtime().users().me().send().await.unwrap();
    let users = log.to("/api/v2/users/me");
    assert_eq!(users[0].header("authorization"), Some("Bearer at_device"));
    assert_no_key_in_urls(&log);
}

#[tokio::test]
async fn device_flow_ends_on_expired_token_and_access_denied() {
    for (code, description) in [
        ("expired_token", "The device code expired."),
        ("access_denied", "The user denied the request."),
    ] {
        let (base, log) = serve(device_routes(vec![oauth_error(code, description)])).await;
        let api = ArchAstro::builder()
            .base_url(&base)
            .publishable_key(PK)
            .build()
            .unwrap();
        let authorization = api.device_authorize("oac_cli", None).await.unwrap();
        let error = api
            .device_poll("oac_cli", &authorization)
            .await
            .unwrap_err();
        match &error {
            Error::DeviceFlow { code: c, message } => {
                assert_eq!((c.as_str(), message.as_str()), (code, description));
            }
            other => panic!("expected Error::DeviceFlow, got {other:?}"),
        }
        assert_eq!(error.code(), Some(code));
        assert_eq!(log.to("/oauth/token").len(), 1, "{code} ends the flow");
        assert_eq!(
            log.to("/oauth/device/authorize")[0].json(),
            json!({"client_id": "oac_cli"})
        );
        assert_eq!(api.support().tokens(), None);
    }
}

/// A token response that does not match `AuthTokens` fails to decode; the error's `Debug`
/// (what `unwrap`/`expect` print) must not show the tokens it carried.
#[tokio::test]
async fn debug_of_a_decode_error_never_shows_tokens() {
    let router = Router::new().route(
        "/api/v2/auth/login",
        // `user` is missing: the body does not match AuthTokens.
        post(|| async {
            axum::Json(json!({
                "access_token": "at_leaked_7d2e", "refresh_token": "rt_leaked_91bc",
                "token_type": "Bearer", "expires_in": 3600
            }))
        }),
    );
    let (base, _log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .build()
        .unwrap();
    let error = api
        .auth()
        .login()
        .body(login_body())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error}");
    for shown in [
        format!("{error:?}"),
        format!("{error:#?}"),
        error.to_string(),
    ] {
        for secret in ["at_leaked_7d2e", "rt_leaked_91bc"] {
            assert!(!shown.contains(secret), "shows `{secret}`: {shown}");
        }
    }
}

/// The device flow against a server whose authorization says `expires_in` and `interval` and
/// whose first poll gets the tokens.
async fn device_flow_with(expires_in: u64, interval: u64) -> Result<Tokens, Error> {
    let mut authorization = device_authorization_json();
    authorization["expires_in"] = json!(expires_in);
    authorization["interval"] = json!(interval);
    let answers = vec![(StatusCode::OK, token_pair_json("at_d", "rt_d"))];
    let (base, _log) = serve(device_routes_with(authorization, answers)).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .build()
        .unwrap();
    let authorization = api.device_authorize("oac_cli", None).await?;
    api.device_poll("oac_cli", &authorization).await
}

#[tokio::test]
async fn device_flow_with_an_endless_expiry_polls() {
    let tokens = device_flow_with(u64::MAX, 1).await.unwrap();
    assert_eq!(tokens.access_token.expose(), "at_d");
}

#[tokio::test]
async fn device_flow_with_an_endless_interval_expires_at_once() {
    for expires_in in [900, u64::MAX] {
        let started = Instant::now();
        let error = device_flow_with(expires_in, u64::MAX).await.unwrap_err();
        assert_eq!(error.code(), Some("expired_token"), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

// ---------------------------------------------------------------------------------------------
// 12. A hostile server or hostile input
// ---------------------------------------------------------------------------------------------

/// Calls `get_user_thread` with `user_id` and `thread_id` against a server that answers every
/// path; the path the server saw, or the error.
async fn user_thread_path(user_id: &str, thread_id: &str) -> Result<String, Error> {
    let (base, log) = serve(Router::new().fallback(|| async {
        json_response(StatusCode::NOT_FOUND, envelope("not_found", "", json!({})))
    }))
    .await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let sent = api
        .runtime()
        .user(user_id)
        .thread(thread_id)
        .get()
        .send()
        .await;
    match sent {
        Err(refused @ Error::InvalidRequest(_)) => {
            assert!(log.all().is_empty(), "a refused request reached the server");
            Err(refused)
        }
        _ => Ok(log.all()[0].uri.path().to_owned()),
    }
}

/// A path parameter the runtime must refuse, naming it.
async fn path_refused(user_id: &str, thread_id: &str, named: &str) {
    match user_thread_path(user_id, thread_id).await {
        Err(Error::InvalidRequest(message)) => {
            assert!(message.contains(&format!("`{named}`")), "{message}");
        }
        other => panic!("`{user_id}`, `{thread_id}`: expected InvalidRequest, got {other:?}"),
    }
}

/// A path parameter sent as one escaped segment.
async fn path_sent(user_id: &str, thread_id: &str, path: &str) {
    assert_eq!(user_thread_path(user_id, thread_id).await.unwrap(), path);
}

#[tokio::test]
async fn path_parameter_dot_dot_is_refused() {
    path_refused("..", "thr_1", "user_id").await;
}

#[tokio::test]
async fn path_parameter_dot_is_refused() {
    path_refused("usr_1", ".", "thread_id").await;
}

#[tokio::test]
async fn path_parameter_empty_is_refused() {
    path_refused("", "thr_1", "user_id").await;
}

#[tokio::test]
async fn path_parameter_backslash_dot_dot_is_refused() {
    path_refused("usr_1", "x\\..\\..", "thread_id").await;
}

#[tokio::test]
async fn path_parameter_percent_encoded_dots_are_sent_escaped() {
    path_sent("%2e%2e", "thr_1", "/api/v2/users/%252e%252e/threads/thr_1").await;
}

#[tokio::test]
async fn path_parameter_with_slashes_is_sent_as_one_segment() {
    path_sent("usr_1", "../..", "/api/v2/users/usr_1/threads/..%2F..").await;
}

/// A server whose `/api/v2/users/me` redirects (307) to `/api/v2/users/usr_1` on another
/// local server (another port: another origin) or on itself: what each server saw, and the
/// answer.
async fn redirected(cross_origin: bool) -> (Log, Log, Result<types::User, Error>) {
    let users = || Router::new().fallback(|| async { axum::Json(user_json()) });
    let (other, other_log) = serve(users()).await;
    let (base, log) = serve_at(|base| {
        let origin = if cross_origin { other } else { base.to_owned() };
        let target = format!("{origin}/api/v2/users/usr_1");
        let redirect = move || {
            let target = target.clone();
            async move { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]) }
        };
        users().route("/api/v2/users/me", get(redirect))
    })
    .await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let answer = api.runtime().users().me().send().await;
    (log, other_log, answer)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let (log, other_log, answer) = redirected(true).await;
    assert!(other_log.all().is_empty(), "the key went to another origin");
    assert_eq!(log.all().len(), 1);
    let error = answer.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307), "{error:?}");
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let (log, _, answer) = redirected(false).await;
    assert_eq!(answer.unwrap().id, "usr_1");
    let seen = log.all();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.header("x-api-key") == Some(SK)));
}

/// An endless body: 8 KiB chunks, forever.
fn endless(status: StatusCode) -> Response {
    let chunk = axum::body::Bytes::from(vec![b'x'; 8192]);
    let body = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    (status, Body::from_stream(body)).into_response()
}

#[tokio::test]
async fn an_endless_error_body_is_cut() {
    let router = Router::new().route(
        "/api/v2/users/me",
        get(|| async { endless(StatusCode::INTERNAL_SERVER_ERROR) }),
    );
    let (base, _log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = api.runtime().users().me().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "read until the timeout"
    );
}

#[tokio::test]
async fn an_endless_refresh_body_is_cut() {
    let router = unauthorized_after(1).route(
        "/api/v2/auth/refresh",
        post(|| async { endless(StatusCode::OK) }),
    );
    let (base, log) = serve(router).await;
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .tokens(Tokens::new("at_expired", Some("rt_1".into())))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = api.runtime().users().me().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error:?}");
    assert_eq!(log.to("/api/v2/auth/refresh").len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "read until the timeout"
    );
}

/// A [`TokenStore`] that keeps what it is given.
#[derive(Default)]
struct Saved(Mutex<Vec<Tokens>>);

impl TokenStore for Saved {
    fn save(&self, tokens: &Tokens) {
        self.0.lock().unwrap().push(tokens.clone());
    }
}

#[tokio::test]
async fn rotated_refresh_tokens_reach_the_token_store() {
    let router = Router::new()
        .route(
            "/api/v2/users/me",
            get(|headers: HeaderMap| async move {
                match headers.get(header::AUTHORIZATION) {
                    Some(v) if v == "Bearer at_2" => json_response(StatusCode::OK, user_json()),
                    _ => json_response(
                        StatusCode::UNAUTHORIZED,
                        envelope("unauthorized", "Access token expired", json!({})),
                    ),
                }
            }),
        )
        .route(
            "/api/v2/auth/refresh",
            post(|| async { axum::Json(auth_tokens_json("at_2", "rt_2")) }),
        );
    let (base, _log) = serve(router).await;
    let saved = Arc::new(Saved::default());
    let api = ArchAstro::builder()
        .base_url(&base)
        .publishable_key(PK)
        .tokens(Tokens::new("at_1", Some("rt_1".into())))
        .token_store(saved.clone())
        .build()
        .unwrap();
    api.runtime().users().me().send().await.unwrap();
    assert_eq!(
        *saved.0.lock().unwrap(),
        [Tokens::new("at_2", Some("rt_2".into()))]
    );
}

// ---------------------------------------------------------------------------------------------
// The `blocking` feature
// ---------------------------------------------------------------------------------------------

/// The same resource tree, called from plain threads: every call waits on the one runtime the
/// process shares, with the client's pool and credentials.
#[test]
fn blocking_calls_go_through_the_same_tree() {
    let server = tokio::runtime::Runtime::new().unwrap();
    let router = Router::new().route("/api/v2/users/me", get(|| async { axum::Json(user_json()) }));
    let (base, log) = server.block_on(serve(router));
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .build()
        .unwrap();
    let me = api.runtime().users().me().send_blocking().unwrap();
    assert_eq!(me.id, "usr_1");
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let api = api.clone();
            std::thread::spawn(move || {
                let me = api.runtime().users().me().send_with_response_blocking();
                me.unwrap().status().as_u16()
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 200);
    }
    let calls = log.to("/api/v2/users/me");
    assert_eq!(calls.len(), 3);
    let bearer = format!("Bearer {SK}");
    let sent_key = |c: &&Seen| {
        c.header("x-api-key") == Some(SK) || c.header("authorization") == Some(bearer.as_str())
    };
    assert!(calls.iter().all(|c| sent_key(&c)), "{calls:?}");
}
