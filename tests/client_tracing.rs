//! The generated client's `tracing` feature against an in-process server on 127.0.0.1: one
//! `archastro.request` span per request with the method, the path template, the status, the
//! attempt and the retry delay, and no key, token or id anywhere in what a subscriber sees.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use archastro_client::{ArchAstro, RetryPolicy};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

const SK: &str = "sk_live_secret_trace_5e2b";
const TOKEN: &str = "eyJ.access.token_trace_81f0";
const USER_ID: &str = "usr_trace_77";
const TS: &str = "2026-05-14T09:30:00Z";

/// Fields by name, as text.
type FieldValues = BTreeMap<String, String>;

/// What a subscriber saw: each span's name and fields, and every event's fields.
#[derive(Clone, Default)]
struct Seen {
    spans: Arc<Mutex<BTreeMap<u64, (String, FieldValues)>>>,
    events: Arc<Mutex<Vec<FieldValues>>>,
}

/// Fields as text.
struct Fields<'a>(&'a mut FieldValues);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let name = attrs.metadata().name().to_owned();
        self.spans
            .lock()
            .unwrap()
            .insert(id.into_u64(), (name, fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some((_, fields)) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
}

impl Seen {
    /// The fields of every `archastro.request` span.
    fn requests(&self) -> Vec<FieldValues> {
        let spans = self.spans.lock().unwrap();
        spans
            .values()
            .filter(|(name, _)| name == "archastro.request")
            .map(|(_, fields)| fields.clone())
            .collect()
    }

    /// Everything recorded, as one text.
    fn everything(&self) -> String {
        format!(
            "{:?} {:?}",
            self.spans.lock().unwrap(),
            self.events.lock().unwrap()
        )
    }
}

/// `GET /api/v2/users/{id}`: a 503 with `Retry-After: 0` first, then the user.
async fn serve_flaky_user() -> String {
    let calls = Arc::new(AtomicUsize::new(0));
    let user = json!({
        "id": USER_ID, "app": "app_1", "email": "ada@example.com", "email_verified": true,
        "name": "Ada Lovelace", "alias": null, "avatar_url": null, "timezone": "Europe/London",
        "status": "active", "org": null, "org_role": null, "sandbox": null,
        "is_system_user": false, "metadata": {}, "created_at": TS, "updated_at": TS
    });
    let router = Router::new().route(
        "/api/v2/users/{id}",
        get(move || {
            let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
            let user = user.clone();
            async move {
                if first {
                    let error = json!({"error": {"code": "unavailable", "message": "later", "details": {}}});
                    let mut response = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(error)).into_response();
                    response.headers_mut().insert(header::RETRY_AFTER, "0".parse().unwrap());
                    response
                } else {
                    axum::Json(user).into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

#[tokio::test]
async fn a_request_span_carries_the_route_status_attempt_and_delay_but_no_secret() {
    let base = serve_flaky_user().await;
    let seen = Seen::default();
    let _guard = tracing_subscriber::registry()
        .with(seen.clone())
        .set_default();
    let api = ArchAstro::builder()
        .base_url(&base)
        .secret_key(SK)
        .bearer(TOKEN)
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(5),
        })
        .build()
        .unwrap();

    let user = api
        .runtime()
        .user(USER_ID).get()
        .send()
        .await
        .unwrap();
    assert_eq!(user.id, USER_ID);

    let requests = seen.requests();
    assert_eq!(requests.len(), 1, "one span per request: {requests:?}");
    let span = &requests[0];
    let field = |name: &str| span.get(name).map(String::as_str);
    assert_eq!(field("http.method"), Some("GET"));
    assert_eq!(field("http.route"), Some("/api/v2/users/{user_id}"));
    assert_eq!(field("http.status"), Some("200"));
    assert_eq!(field("attempt"), Some("2"));
    assert_eq!(
        field("retry_delay_ms"),
        Some("0"),
        "Retry-After: 0 was the wait"
    );
    let retries: Vec<_> = seen
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.get("message").is_some_and(|m| m == "retrying"))
        .cloned()
        .collect();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].get("attempt").map(String::as_str), Some("2"));

    let everything = seen.everything();
    for secret in [SK, TOKEN, USER_ID] {
        assert!(
            !everything.contains(secret),
            "`{secret}` reached a trace: {everything}"
        );
    }
}
