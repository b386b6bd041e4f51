//! The harness's control API (scenarios, scripted pushes, what it observed on the wire, the
//! contract violations it saw) and the client pointed at it.

use std::time::Duration;

use archastro_client::ArchAstro;
use archastro_client::channels::{Socket, SocketOptions};
use serde_json::Value;

/// How long a reply may take unless a scenario says otherwise.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// One running harness: its Phoenix socket and its control API (which also serves the SSE
/// routes).
pub struct Harness {
    ws_url: String,
    control: String,
    http: reqwest::Client,
}

impl Harness {
    pub fn new(ws_url: &str, control: &str) -> Harness {
        Harness {
            ws_url: ws_url.to_owned(),
            control: control.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// POSTs `body` to the control path `path`; the answer's JSON (`null` when there is none).
    pub async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("{}{path}", self.control))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("control {path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        ensure!(status.is_success(), "control {path}: {status}: {text}");
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<Value>, String> {
        let response = self
            .http
            .get(format!("{}{path}", self.control))
            .query(query)
            .send()
            .await
            .map_err(|e| format!("control {path}: {e}"))?;
        let value: Value = response.json().await.map_err(|e| format!("control {path}: {e}"))?;
        Ok(value.as_array().cloned().unwrap_or_default())
    }

    /// The contract violations the harness recorded since the last reset.
    pub async fn handler_errors(&self) -> Result<Vec<Value>, String> {
        self.get("/handler-errors", &[]).await
    }

    /// Asks the harness to push a contract-valid `event` on `topic` to its subscribers.
    pub async fn auto_push(&self, topic: &str, event: &str) -> Result<(), String> {
        self.post("/pushes", serde_json::json!({"topic": topic, "event": event})).await.map(drop)
    }

    /// Polls until `count` frames `event` on `topic` (or requests of the SSE route `topic`)
    /// were observed; returns them, oldest first.
    pub async fn wait_observed(&self, topic: &str, event: &str, count: usize) -> Result<Vec<Value>, String> {
        for _ in 0..100 {
            let seen = self.get("/observations", &[("topic", topic), ("event", event)]).await?;
            if seen.len() >= count {
                return Ok(seen);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the harness never saw {count} `{event}` on `{topic}`"))
    }

    /// A client of the harness's HTTP side (the SSE routes), with credentials.
    pub fn client(&self) -> Result<ArchAstro, String> {
        ArchAstro::builder()
            .base_url(self.control.clone())
            .bearer("harness-access-token")
            .publishable_key("pk_test_harness")
            .build()
            .map_err(|e| e.to_string())
    }

    /// A socket connected to the harness's Phoenix endpoint.
    pub async fn socket(&self, reply_timeout: Duration) -> Result<Socket, String> {
        let options = SocketOptions {
            url: Some(self.ws_url.clone()),
            reply_timeout,
            heartbeat_interval: Duration::from_secs(1),
            ..SocketOptions::default()
        };
        self.client()?.connect_socket(options).await.map_err(|e| format!("connect: {e}"))
    }
}
