//! Credentials and tokens. Their `Debug` never shows a key or a token.

use std::fmt;

use serde_json::Value;

/// A string that must not be printed: `Debug` and `Display` show only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which kind of API key a scheme takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `pk_...`: identifies the app; safe in client code.
    Publishable,
    /// `sk_...`: full access; servers only.
    Secret,
}

/// One security scheme of the spec, as the generated code describes it to the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// An API key in a header.
    ApiKey { header: &'static str, kind: KeyKind },
    /// An access token in `Authorization: Bearer`.
    Bearer,
}

/// Keeps tokens beyond the client's life (a keychain, a file, a database row). The runtime
/// calls [`TokenStore::save`] with the new tokens after every refresh (refresh tokens may be
/// rotated: the old one stops working) and after the device flow; set it with
/// `RuntimeBuilder::token_store`. It is not called for tokens the caller sets itself.
pub trait TokenStore: Send + Sync {
    /// Persists `tokens`; called on the task that refreshed, so it should be quick.
    fn save(&self, tokens: &Tokens);
}

/// The API keys a client holds.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub publishable_key: Option<Secret>,
    pub secret_key: Option<Secret>,
}

impl Credentials {
    pub fn key(&self, kind: KeyKind) -> Option<&Secret> {
        match kind {
            KeyKind::Publishable => self.publishable_key.as_ref(),
            KeyKind::Secret => self.secret_key.as_ref(),
        }
    }
}

/// An access token and, when the server issued one, the refresh token that renews it.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Tokens {
    pub fn new(access_token: impl Into<String>, refresh_token: Option<String>) -> Self {
        Tokens {
            access_token: Secret::new(access_token),
            refresh_token: refresh_token.map(Secret::new),
        }
    }

    /// Finds `access_token` (and `refresh_token`) in a login, refresh or token response: at
    /// the top level or under `tokens` or `data`.
    pub fn from_json(value: &Value) -> Option<Tokens> {
        let candidates = [Some(value), value.get("tokens"), value.get("data")];
        candidates.into_iter().flatten().find_map(|v| {
            let access = v.get("access_token")?.as_str()?;
            let refresh = v
                .get("refresh_token")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some(Tokens::new(access, refresh))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let t = Tokens::new("eyJ.access", Some("rt_secret".into()));
        let c = Credentials {
            publishable_key: Some(Secret::new("pk_live_x")),
            secret_key: Some(Secret::new("sk_live_y")),
        };
        let shown = format!("{t:?} {c:?}");
        for secret in ["eyJ.access", "rt_secret", "pk_live_x", "sk_live_y"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn finds_tokens_in_responses() {
        let v = serde_json::json!({"data": {"access_token": "a", "refresh_token": "r"}});
        assert_eq!(
            Tokens::from_json(&v),
            Some(Tokens::new("a", Some("r".into())))
        );
        assert_eq!(Tokens::from_json(&serde_json::json!({"user": {}})), None);
    }
}
