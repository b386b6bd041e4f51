//! The hand-written runtime of the generated ArchAstro client. `cargo xtask regen` copies these
//! modules into the client as `archastro_client::support`; they refer to each other with
//! `super::` so that they compile both here and there.
//!
//! The generated crate routes every request through [`Runtime::execute`] (via progenitor's `ClientHooks`), which
//!
//! - refuses a path parameter that is empty, `.` or `..` (also percent-encoded) before
//!   anything is sent ([`check_path`], called from the generated `ClientHooks::pre`), so an
//!   id cannot redirect a request to another endpoint;
//! - picks the credential the operation accepts ([`Runtime::authorize`]): API keys in their
//!   header, access tokens as `Authorization: Bearer`; keys never go into URLs;
//! - on a 401 to a bearer request, refreshes the access token once for all concurrent
//!   requests (single flight) and retries the request once;
//! - retries idempotent requests on 429/502/503/504 and connection errors with exponential
//!   backoff and jitter, honouring `Retry-After` (seconds or an HTTP date), within a
//!   [`RetryPolicy`];
//! - gives a request the timeout and retry policy its builder set ([`RequestSettings`],
//!   within [`call::scoped`]) in place of the client's;
//! - follows redirects only within the origin of the request (same scheme, host and port, at
//!   most [`MAX_REDIRECTS`]): a redirect to another host, or from `https` to `http`, is not
//!   followed, and its 3xx response is returned, so keys and tokens never leave the origin;
//! - reads at most [`MAX_ERROR_BODY`] of an error body and [`MAX_TOKEN_BODY`] of a token
//!   response, and hands refreshed tokens to the [`TokenStore`] set on the builder;
//! - trusts the platform's certificate store, through one TLS configuration that the HTTP
//!   client and the channels' WebSocket share (`tls.rs`: rustls by default, the operating
//!   system's TLS library with the `native-tls` feature);
//! - opens a `tracing` span per request with the `tracing` feature (`trace.rs`), carrying the
//!   method, the path template, the status, the attempt and the retry delay, never a key or
//!   a token.
//!
//! [`Error`] is the one error type users see: [`call`] decodes every answer into the body or
//! an [`Error`]; [`paginate`] turns paginated lists into streams;
//! [`Runtime::device_authorize`] and [`Runtime::device_poll`] run the OAuth device flow.
//! [`channels`] is the Phoenix Channels transport of the realtime channels, [`sse`] the
//! Server-Sent Events reader of streaming operations.

pub mod builders;
pub mod call;
mod channel_connection;
pub mod channels;
mod credentials;
mod device;
mod error;
pub mod paginate;
mod path;
pub(crate) mod resources;
mod retry;
mod runtime;
pub mod sse;
mod tls;
mod trace;

pub use call::RequestSettings;
pub use credentials::{Credentials, KeyKind, Scheme, Secret, TokenStore, Tokens};
pub use device::DeviceAuthorization;
pub use error::Error;
pub use path::check_path;
pub use retry::RetryPolicy;
pub use runtime::{MAX_ERROR_BODY, MAX_REDIRECTS, MAX_TOKEN_BODY, Runtime, RuntimeBuilder};
