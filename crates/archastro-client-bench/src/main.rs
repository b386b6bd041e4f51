//! `cargo run --release -p archastro-client-bench [-- SECONDS CONCURRENCY]`: requests per second
//! through the generated client (the builder, the runtime's credentials, retry and error
//! machinery, progenitor's typed decoding) against raw reqwest sending the same request and
//! decoding the same type, both against one hand-written axum server on loopback, in
//! alternating rounds so that both see the same machine state. Prints the figures and the
//! ratio client / raw as JSON (`cargo xtask bench` reads it).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use archastro_client::{ArchAstro, types};
use axum::extract::Path;
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

async fn serve() -> String {
    let app = axum::Router::new().route(
        "/api/v2/users/{user_id}",
        axum::routing::get(|Path(id): Path<String>| async move { axum::Json(user(&id)) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("server") });
    url
}

/// Requests per second of `concurrency` tasks calling `request` for `duration`.
async fn load<F, Fut>(request: F, concurrency: usize, duration: Duration) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = types::User> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (request, done) = (request.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let user = request().await;
                assert_eq!(user.id, "usr_42");
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
    let concurrency: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(16);
    let base = serve().await;

    let api = Arc::new(
        ArchAstro::builder()
            .base_url(base.clone())
            .bearer(TOKEN)
            .build()
            .expect("client"),
    );
    let through_client = move || {
        let api = Arc::clone(&api);
        async move {
            api.runtime()
                .user("usr_42")
                .get()
                .send()
                .await
                .expect("generated client")
        }
    };
    let raw = reqwest::Client::builder().build().expect("reqwest");
    let url: Arc<str> = format!("{base}/api/v2/users/usr_42").into();
    let through_reqwest = move || {
        let (raw, url) = (raw.clone(), Arc::clone(&url));
        async move {
            let response = raw
                .get(&*url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .expect("raw reqwest");
            assert!(response.status().is_success());
            response.json::<types::User>().await.expect("decode")
        }
    };

    // Warm up both, then alternate rounds.
    load(
        through_client.clone(),
        concurrency,
        Duration::from_millis(300),
    )
    .await;
    load(
        through_reqwest.clone(),
        concurrency,
        Duration::from_millis(300),
    )
    .await;
    let round = Duration::from_secs_f64(seconds / 6.0);
    let (mut c, mut r) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        c.push(load(through_client.clone(), concurrency, round).await);
        r.push(load(through_reqwest.clone(), concurrency, round).await);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (c, r) = (median(&mut c), median(&mut r));
    println!(
        "{}",
        json!({ "client_rps": c.round(), "raw_reqwest_rps": r.round(), "ratio": (c / r * 1000.0).round() / 1000.0, "concurrency": concurrency, "seconds": seconds })
    );
}
