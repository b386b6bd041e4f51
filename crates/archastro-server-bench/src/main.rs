//! `cargo run --release -p archastro-server-bench [-- SECONDS CONNECTIONS]`: requests per
//! second through the generated router (authentication, path extraction, the trait call, the
//! typed response) against a hand-written axum handler doing the same work, in one process on
//! loopback, measured in alternating rounds so that both see the same machine state. Prints the
//! figures and the ratio generated / hand-written as JSON.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use archastro_server::runtime::{GetUserRequest, GetUserResponse, RuntimeApi};
use archastro_server::{
    ApiError, AuthError, Principal, RequestContext, ServerConfig, auth, developer, types,
};
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const TOKEN: &str = "jwt_bench";

fn user(id: &str) -> Value {
    json!({
        "id": id, "app": "app_1", "email": "ada@example.com", "email_verified": true,
        "is_system_user": false, "metadata": {}, "status": "active", "timezone": "UTC",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "alias": null, "avatar_url": null, "name": "Ada", "org": null, "org_role": null, "sandbox": null
    })
}

struct Bearer;

impl archastro_server::Authenticator for Bearer {
    async fn bearer_auth(&self, token: &str) -> Result<Principal, AuthError> {
        if token == TOKEN {
            Ok(Principal {
                subject: "usr_1".into(),
                scheme: "bearerAuth".into(),
                claims: Value::Null,
            })
        } else {
            Err(AuthError::Invalid("unknown token".into()))
        }
    }
    async fn publishable_key(&self, _: &str) -> Result<Principal, AuthError> {
        Err(AuthError::Invalid("no keys".into()))
    }
    async fn secret_key(&self, _: &str) -> Result<Principal, AuthError> {
        Err(AuthError::Invalid("no keys".into()))
    }
}

struct Users;

impl RuntimeApi for Users {
    async fn get_user(
        &self,
        _: &RequestContext,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, ApiError> {
        let user: types::User = serde_json::from_value(user(&request.path.user_id))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(GetUserResponse::Ok(user))
    }
}

struct NoAuth;
impl auth::AuthApi for NoAuth {}
struct NoDeveloper;
impl developer::DeveloperApi for NoDeveloper {}

/// The same work by hand: check the bearer token, take the path parameter, build and
/// serialize the same typed user.
async fn hand_written(headers: HeaderMap, Path(user_id): Path<String>) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == TOKEN);
    if !authorized {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": {"code": "unauthorized", "message": "authentication required", "details": {}}}))).into_response();
    }
    match serde_json::from_value::<types::User>(user(&user_id)) {
        Ok(u) => axum::Json(u).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("server") });
    url
}

/// Requests per second of `connections` keep-alive clients hammering `url` for `duration`.
async fn load(url: &str, connections: usize, duration: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, done) = (url.to_owned(), done.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            while Instant::now() < deadline {
                let response = client
                    .get(&url)
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                let _ = response.bytes().await.expect("body");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("load task");
    }
    done.load(Ordering::Relaxed) as f64 / duration.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let connections: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(16);
    let generated = archastro_server::router(
        Arc::new(Bearer),
        ServerConfig::default(),
        Arc::new(NoAuth),
        Arc::new(Users),
        Arc::new(NoDeveloper),
    );
    let by_hand =
        axum::Router::new().route("/api/v2/users/{user_id}", axum::routing::get(hand_written));
    let generated_url = format!("{}/api/v2/users/usr_42", serve(generated).await);
    let by_hand_url = format!("{}/api/v2/users/usr_42", serve(by_hand).await);
    // Warm up both, then alternate rounds.
    load(&generated_url, connections, Duration::from_millis(300)).await;
    load(&by_hand_url, connections, Duration::from_millis(300)).await;
    let round = Duration::from_secs_f64(seconds / 6.0);
    let (mut g, mut h) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        g.push(load(&generated_url, connections, round).await);
        h.push(load(&by_hand_url, connections, round).await);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (g, h) = (median(&mut g), median(&mut h));
    println!(
        "{}",
        json!({ "generated_rps": g.round(), "hand_written_rps": h.round(), "ratio": (g / h * 1000.0).round() / 1000.0, "connections": connections, "seconds": seconds })
    );
}
