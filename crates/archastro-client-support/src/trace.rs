//! The span of one request (`tracing` feature): [`Runtime::execute`](super::Runtime::execute)
//! opens an `archastro.request` span at `INFO` with
//!
//! - `http.method`: the request's method;
//! - `http.route`: the operation's path template (`/api/v1/users/{user_id}`), never the path
//!   sent, so ids stay out of traces;
//! - `http.status`: the status of the last response (empty after a transport error);
//! - `attempt`: the number of the last attempt (1 for the first);
//! - `retry_delay_ms`: the last wait before a retry (empty when there was none);
//!
//! and a `DEBUG` event `retrying` with `attempt` and `retry_delay_ms` before each retry.
//! Neither carries a header, a query or a body, so keys and tokens never reach a trace.
//! Without the feature, every call here does nothing.

use std::time::Duration;

/// The span of one request; see the module doc.
pub(crate) struct RequestSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

#[cfg(feature = "tracing")]
impl RequestSpan {
    pub(crate) fn new(method: &reqwest::Method, route: &str) -> RequestSpan {
        let span = tracing::info_span!(
            "archastro.request",
            http.method = %method,
            http.route = route,
            http.status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            retry_delay_ms = tracing::field::Empty,
        );
        RequestSpan { span }
    }

    /// `future`, run inside the span.
    pub(crate) fn enter<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        tracing::Instrument::instrument(future, self.span.clone())
    }

    /// An attempt starts; `attempt` counts from 0.
    pub(crate) fn attempt(&self, attempt: u32) {
        self.span.record("attempt", attempt.saturating_add(1));
    }

    /// The status of the attempt's response.
    pub(crate) fn status(&self, result: &reqwest::Result<reqwest::Response>) {
        if let Ok(response) = result {
            self.span.record("http.status", response.status().as_u16());
        }
    }

    /// The wait before attempt `attempt` (counting from 0, as [`RequestSpan::attempt`]).
    pub(crate) fn retry(&self, attempt: u32, delay: Duration) {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.span.record("retry_delay_ms", delay_ms);
        self.span.in_scope(|| {
            tracing::debug!(
                attempt = attempt.saturating_add(1),
                retry_delay_ms = delay_ms,
                "retrying"
            );
        });
    }
}

#[cfg(not(feature = "tracing"))]
impl RequestSpan {
    pub(crate) fn new(_method: &reqwest::Method, _route: &str) -> RequestSpan {
        RequestSpan {}
    }

    pub(crate) fn enter<F: Future>(&self, future: F) -> F {
        future
    }

    pub(crate) fn attempt(&self, _attempt: u32) {}

    pub(crate) fn status(&self, _result: &reqwest::Result<reqwest::Response>) {}

    pub(crate) fn retry(&self, _attempt: u32, _delay: Duration) {}
}
