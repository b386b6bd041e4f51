//! The OAuth 2.0 device authorization grant (RFC 8628) for CLIs and other clients without a
//! browser: ask for a code, show it to the user, poll the token endpoint at the server's
//! interval (`authorization_pending`: keep going; `slow_down`: wait 5 s longer), and store the
//! tokens. `expired_token` and `access_denied` end the flow with [`Error::DeviceFlow`].

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::credentials::{Scheme, Tokens};
use super::error::Error;
use super::runtime::{MAX_TOKEN_BODY, Runtime, read_capped};

/// What `/oauth/device/authorize` answers: show `user_code` and `verification_uri` to the user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    #[serde(default)]
    pub verification_uri_complete: Option<String>,
    /// Seconds until the codes expire.
    pub expires_in: u64,
    /// Seconds to wait between polls (default 5).
    #[serde(default = "default_interval")]
    pub interval: u64,
}

fn default_interval() -> u64 {
    5
}

/// Stands for "never" where a deadline would overflow `Instant` (about 30 years).
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// The RFC 8628 grant type.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

impl Runtime {
    /// Starts the device flow at `path` (the spec's `/oauth/device/authorize`).
    pub async fn device_authorize(
        &self,
        path: &str,
        security: &[&[Scheme]],
        client_id: &str,
        scope: Option<&str>,
    ) -> Result<DeviceAuthorization, Error> {
        let mut body = json!({ "client_id": client_id });
        if let Some(scope) = scope {
            body["scope"] = json!(scope);
        }
        let request = self.post_json(path, &body, security)?;
        let response = self
            .http()
            .execute(request)
            .await
            .map_err(Error::Transport)?;
        let status = response.status();
        let bytes = read_capped(response, MAX_TOKEN_BODY)
            .await
            .map_err(Error::Transport)?;
        if !status.is_success() {
            return Err(Error::from_body(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
            status: Some(status),
            source,
        })
    }

    /// Polls the token endpoint at `path` (the spec's `/oauth/token`) until the user approves,
    /// then stores and returns the tokens.
    pub async fn device_poll(
        &self,
        path: &str,
        security: &[&[Scheme]],
        client_id: &str,
        authorization: &DeviceAuthorization,
    ) -> Result<Tokens, Error> {
        let mut interval = Duration::from_secs(authorization.interval.max(1));
        // Saturating: a server's `expires_in` or `interval` near `u64::MAX` must not overflow.
        let now = tokio::time::Instant::now();
        let deadline = now
            .checked_add(Duration::from_secs(authorization.expires_in))
            .unwrap_or_else(|| now + FAR_FUTURE);
        let body = json!({
            "grant_type": DEVICE_CODE_GRANT,
            "device_code": authorization.device_code,
            "client_id": client_id,
        });
        loop {
            // The next poll would come after the codes expire: end now rather than sleep.
            let next_poll = tokio::time::Instant::now().checked_add(interval);
            if next_poll.is_none_or(|at| at > deadline) {
                return Err(Error::DeviceFlow {
                    code: "expired_token".into(),
                    message: "the device code expired before the user approved".into(),
                });
            }
            tokio::time::sleep(interval).await;
            let request = self.post_json(path, &body, security)?;
            let response = self
                .http()
                .execute(request)
                .await
                .map_err(Error::Transport)?;
            let status = response.status();
            let bytes = read_capped(response, MAX_TOKEN_BODY)
                .await
                .map_err(Error::Transport)?;
            if status.is_success() {
                let value: serde_json::Value =
                    serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
                        status: Some(status),
                        source,
                    })?;
                let tokens = Tokens::from_json(&value).ok_or_else(|| {
                    Error::Config("the token response carries no access_token".into())
                })?;
                self.set_tokens(Some(tokens.clone()));
                self.save_tokens(&tokens);
                return Ok(tokens);
            }
            let error = Error::from_body(status, &bytes);
            match error.code() {
                Some("authorization_pending") => {}
                Some("slow_down") => interval = interval.saturating_add(Duration::from_secs(5)),
                Some(code @ ("expired_token" | "access_denied")) => {
                    let message = match &error {
                        Error::Api { message, .. } => message.clone(),
                        _ => String::new(),
                    };
                    return Err(Error::DeviceFlow {
                        code: code.to_owned(),
                        message,
                    });
                }
                _ => return Err(error),
            }
        }
    }
}
