//! A local ArchAstro: the generated server traits (`archastro-server`) implemented in memory,
//! for development and for end-to-end tests of clients.
//!
//! ```text
//! cargo run -p archastro-emulator -- --listen 127.0.0.1:4010 \
//!     [--publishable-key pk_test_emulator] [--secret-key sk_test_emulator] [--token-ttl 3600]
//! ```
//!
//! or in a test, on a free port:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let running = archastro_emulator::Emulator::new(Default::default()).bind("127.0.0.1:0").await?;
//! let base_url = running.url(); // "http://127.0.0.1:PORT", for `ArchAstro::builder().base_url(..)`
//! # Ok(()) }
//! ```
//!
//! # What it serves
//!
//! - **Credentials.** One app (`app_000001`) owns a publishable key (`pk_test_emulator`) and a
//!   secret key (`sk_test_emulator`), both configurable. Operations that take a publishable key
//!   accept only it; operations that take a secret key accept only it (a publishable key there
//!   answers 403). Bearer tokens are the access tokens issued by register, login, refresh and
//!   the device flow; they expire after the token TTL (401, so clients refresh). A key may also
//!   be sent as `Authorization: Bearer`.
//! - **Auth.** Register, login, refresh (refresh tokens rotate: the one sent stops working),
//!   the device flow (`/oauth/device/authorize`, then `/oauth/token` with the device-code
//!   grant: the first poll answers `authorization_pending`, the next one, no sooner than
//!   `interval` seconds later, is approved automatically as the developer account
//!   `usr_000000`; polling faster answers `slow_down`), and the refresh-token grant of
//!   `/oauth/token`.
//! - **Runtime.** Users (me, get, profile, email, time zone), teams (offset pages, create, get,
//!   replace, invitations by email or join code, join, members), threads of users and teams
//!   (create, get, update, delete; cursor pages, most recently active first), messages (post,
//!   with idempotency keys; cursor pages newest first: follow `before_cursor` for older
//!   messages, `after_cursor` for newer ones), agents (CRUD; each agent gets its own system
//!   user), tasks and objects of teams (offset pages; the API has no operation creating them,
//!   so they come from [`Emulator::add_task`], [`Emulator::add_object`] or `--seed-tasks`).
//! - **Developer.** `me` (a secret key acts as the developer account `usr_000000`, a bearer
//!   token as its user), apps (CRUD), app agents (CRUD), routines (created on an agent in
//!   `draft`, CRUD, activate, pause) and installations (created on an agent as `pending`, get,
//!   list, delete, activate, pause).
//!
//! - **Realtime.** The Phoenix Channels (protocol v2) WebSocket of the spec's `x-channels` at
//!   `GET /socket/websocket?vsn=2.0.0&token=ACCESS_TOKEN` (or `Authorization: Bearer`; an
//!   unknown or expired token answers 401): `user:{user_id}` (the user only), `team:{team_id}`
//!   (members) and `thread:{thread_id}` (the owner or participants of a user thread, members
//!   of a team thread). Joins answer the spec's `returns` (the user and its unread count, the
//!   team, the thread with a page of its messages); every message created, over REST or with
//!   the channel's `post_message`, is pushed as `message_created` to the thread's sockets;
//!   `typing` is relayed to the other sockets as `typing_started` / `typing_stopped`;
//!   presence (`presence_state`, `presence_diff`) is tracked per topic; `mark_read`,
//!   `load_more_messages`, `update_presence` and `mark_notifications_read` answer from the
//!   store. [`Emulator::push`] sends any other push. The wire details are in `src/socket.rs`.
//!
//! Ids are deterministic (`usr_000001`, `team_000001`, `thr_000001`, `msg_000001`, ...). What is
//! written reads back; unknown ids answer 404 and resources of others 403 or 404, in the API's
//! error envelope; the state sits behind one lock, so concurrent requests are safe. Every other
//! operation keeps the generated default: 501 `not_implemented`.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use archastro_server::{AuthError, Principal, ServerConfig};
use serde_json::json;

mod auth;
mod developer;
mod paging;
mod runtime;
mod socket;
mod store;

pub use archastro_server::types;
pub use store::{DEFAULT_APP_ID, DEVELOPER_USER_ID};

/// The README's example test, compiled as a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The default publishable key.
pub const DEFAULT_PUBLISHABLE_KEY: &str = "pk_test_emulator";
/// The default secret key.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_emulator";

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted where the spec asks for a publishable key.
    pub publishable_key: String,
    /// Accepted where the spec asks for a secret key.
    pub secret_key: String,
    /// Lifetime of access tokens (`expires_in`); at least one second.
    pub token_ttl: Duration,
    /// The device flow's polling interval, in seconds (at least 1).
    pub device_interval: u64,
    /// Sample tasks created in every new team.
    pub seed_tasks: usize,
    /// How long a `typing: true` on a `thread:` topic lasts without another one (the spec
    /// says 5 seconds).
    pub typing_ttl: Duration,
    /// The framework's settings (body limit).
    pub server: ServerConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            publishable_key: DEFAULT_PUBLISHABLE_KEY.into(),
            secret_key: DEFAULT_SECRET_KEY.into(),
            token_ttl: Duration::from_secs(3600),
            device_interval: 1,
            seed_tasks: 0,
            typing_ttl: Duration::from_secs(5),
            server: ServerConfig::default(),
        }
    }
}

/// Counters of what happened, for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub registrations: u64,
    pub logins: u64,
    /// Refresh tokens exchanged (`/api/v2/auth/refresh` and the refresh-token grant).
    pub refreshes: u64,
    /// Access tokens issued by the device flow.
    pub device_grants: u64,
    /// Bearer tokens refused because they had expired.
    pub expired_tokens: u64,
}

pub(crate) struct State {
    pub(crate) config: Config,
    store: RwLock<store::Store>,
    stats: RwLock<Stats>,
    /// The sockets of the realtime API and the topics they joined.
    pub(crate) hub: socket::Hub,
}

impl State {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, store::Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, store::Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn count(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut self.stats.write().unwrap_or_else(|e| e.into_inner()));
    }

    pub(crate) fn ttl_secs(&self) -> u64 {
        self.config.token_ttl.as_secs().max(1)
    }
}

/// The emulator: cheap to clone, clones share the state.
#[derive(Clone)]
pub struct Emulator {
    state: Arc<State>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("publishable_key", &self.state.config.publishable_key)
            .field("token_ttl", &self.state.config.token_ttl)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// An emulator with an empty store (the app `app_000001` and the developer `usr_000000`).
    pub fn new(mut config: Config) -> Self {
        config.device_interval = config.device_interval.max(1);
        Emulator {
            state: Arc::new(State {
                store: RwLock::new(store::Store::new(&config)),
                config,
                stats: RwLock::new(Stats::default()),
                hub: socket::Hub::default(),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }

    pub fn stats(&self) -> Stats {
        *self.state.stats.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The API as an axum router (every family, with the JSON 404/405 fallbacks) and the
    /// realtime WebSocket at `/socket/websocket`.
    pub fn router(&self) -> axum::Router {
        let api = Arc::new(Api(self.state.clone()));
        let socket = axum::Router::new()
            .route(
                socket::PATH,
                axum::routing::get(socket::upgrade).fallback(socket::method_not_allowed),
            )
            .with_state(self.state.clone());
        archastro_server::router(
            Arc::new(Keys(self.state.clone())),
            self.state.config.server,
            api.clone(),
            api.clone(),
            api,
        )
        .merge(socket)
    }

    /// Pushes `event` with `payload` to every socket joined to `topic` (`thread:thr_000001`,
    /// ...), as the server would: for the pushes no REST operation makes (`notification`,
    /// `direct_event`, `agent_response_delta`, ...). Answers how many sockets it reached.
    pub fn push(&self, topic: &str, event: &str, payload: serde_json::Value) -> usize {
        self.state.hub.push(topic, event, &payload)
    }

    /// The operation ids the emulator implements (every other one answers 501), found with the
    /// generated `unimplemented_operations` helpers.
    pub fn implemented_operations(&self) -> Vec<&'static str> {
        let api = Api(self.state.clone());
        let mut out = Vec::new();
        for (all, left) in [
            (
                archastro_server::auth::OPERATIONS,
                archastro_server::auth::unimplemented_operations(&api),
            ),
            (
                archastro_server::runtime::OPERATIONS,
                archastro_server::runtime::unimplemented_operations(&api),
            ),
            (
                archastro_server::developer::OPERATIONS,
                archastro_server::developer::unimplemented_operations(&api),
            ),
        ] {
            out.extend(all.iter().copied().filter(|id| !left.contains(id)));
        }
        out
    }

    /// Binds `addr` (port 0 for a free one) and serves in a background task.
    pub async fn bind(self, addr: impl tokio::net::ToSocketAddrs) -> std::io::Result<Running> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = self.router();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Running {
            addr,
            emulator: self,
            task,
        })
    }

    /// Serves on `listener` until `shutdown` resolves.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Adds a task to a team (the API has no operation creating tasks).
    pub fn add_task(&self, team_id: &str, title: &str) -> Result<types::Task, String> {
        self.state.write().add_task(team_id, title, None)
    }

    /// Adds a structured object to a team (the API has no operation creating them).
    pub fn add_object(
        &self,
        team_id: &str,
        schema_type: &str,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<types::Object, String> {
        self.state.write().add_object(team_id, schema_type, fields)
    }
}

/// An emulator serving in a background task; dropping it stops the server.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    pub emulator: Emulator,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The realtime socket's URL (`ws://127.0.0.1:PORT/socket/websocket`); add
    /// `?vsn=2.0.0&token=ACCESS_TOKEN`.
    pub fn socket_url(&self) -> String {
        format!("ws://{}{}", self.addr, socket::PATH)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The one implementation of the three families.
pub(crate) struct Api(pub(crate) Arc<State>);

/// The authenticator: the configured keys and the access tokens of the store.
struct Keys(Arc<State>);

fn app_principal(scheme: &str) -> Principal {
    Principal {
        subject: DEFAULT_APP_ID.into(),
        scheme: scheme.into(),
        claims: json!({ "kind": "app", "app": DEFAULT_APP_ID }),
    }
}

impl archastro_server::Authenticator for Keys {
    async fn bearer_auth(&self, credential: &str) -> Result<Principal, AuthError> {
        let config = &self.0.config;
        if credential == config.secret_key {
            return Ok(app_principal("secretKey"));
        }
        if credential == config.publishable_key {
            return Err(AuthError::Forbidden(
                "a publishable key only unlocks the auth flows".into(),
            ));
        }
        let checked = self.0.write().check_access_token(credential);
        match checked {
            Ok(user) => Ok(Principal {
                subject: user,
                scheme: "bearerAuth".into(),
                claims: json!({ "kind": "user", "app": DEFAULT_APP_ID }),
            }),
            Err(store::TokenError::Expired) => {
                self.0.count(|s| s.expired_tokens += 1);
                Err(AuthError::Invalid("the access token has expired".into()))
            }
            Err(store::TokenError::Unknown) => {
                Err(AuthError::Invalid("unknown or revoked access token".into()))
            }
        }
    }

    async fn publishable_key(&self, credential: &str) -> Result<Principal, AuthError> {
        let config = &self.0.config;
        if credential == config.publishable_key {
            Ok(app_principal("publishableKey"))
        } else if credential == config.secret_key {
            Err(AuthError::Forbidden(
                "this operation takes the publishable key, not the secret key".into(),
            ))
        } else {
            Err(AuthError::Invalid("unknown publishable key".into()))
        }
    }

    async fn secret_key(&self, credential: &str) -> Result<Principal, AuthError> {
        let config = &self.0.config;
        if credential == config.secret_key {
            Ok(app_principal("secretKey"))
        } else if credential == config.publishable_key || credential.starts_with("pk_") {
            Err(AuthError::Forbidden(
                "a publishable key may not call this operation: it needs the secret key".into(),
            ))
        } else {
            Err(AuthError::Invalid("unknown secret key".into()))
        }
    }
}
