//! The hand-written runtime of the generated ArchAstro client. `cargo xtask regen` copies these
//! modules into the client as `archastro_client::support`; they refer to each other with
//! `super::` so that they compile both here and there.
//!
//! The generated crate routes every request through [`Runtime::execute`] (via progenitor's `ClientHooks`), which
//!
//! - picks the credential the operation accepts ([`Runtime::authorize`]): API keys in their
//!   header, access tokens as `Authorization: Bearer`; keys never go into URLs;
//! - on a 401 to a bearer request, refreshes the access token once for all concurrent
//!   requests (single flight) and retries the request once;
//! - retries idempotent requests on 429/502/503/504 and connection errors with exponential
//!   backoff and jitter, honouring `Retry-After`, within a [`RetryPolicy`].
//!
//! [`Error`] is the one error type users see; [`paginate`] turns paginated lists into streams;
//! [`Runtime::device_authorize`] and [`Runtime::device_poll`] run the OAuth device flow.
//! [`channels`] is the Phoenix Channels transport of the realtime channels, [`sse`] the
//! Server-Sent Events reader of streaming operations.

pub(crate) mod builders;
pub mod channels;
mod credentials;
mod device;
mod error;
pub mod paginate;
mod retry;
mod runtime;
pub mod sse;

pub use credentials::{Credentials, KeyKind, Scheme, Secret, Tokens};
pub use device::DeviceAuthorization;
pub use error::Error;
pub use retry::RetryPolicy;
pub use runtime::{Runtime, RuntimeBuilder};
