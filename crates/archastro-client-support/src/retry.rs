//! When and how long to wait before trying a request again.

use std::time::Duration;

use reqwest::{Method, StatusCode};

/// Retries of idempotent requests on 429/502/503/504 and connection errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first one (0 disables retries).
    pub max_retries: u32,
    /// The first backoff; each further one doubles, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the response is returned.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Full-jitter exponential backoff for retry number `attempt` (0-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        let cap = exp.min(self.max_delay);
        let jitter: f64 = rand::random::<f64>();
        cap.mul_f64(0.5 + jitter / 2.0)
    }
}

/// Methods that may be sent twice without changing the outcome.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Statuses worth another attempt.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (HTTP dates are treated as absent).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for attempt in 0..20 {
            let d = p.backoff(attempt);
            assert!(d <= p.max_delay, "{d:?}");
            let floor = p
                .base_delay
                .saturating_mul(1 << attempt.min(16))
                .min(p.max_delay)
                / 2;
            assert!(d >= floor, "{attempt}: {d:?}");
        }
        assert!(is_idempotent(&Method::PUT) && !is_idempotent(&Method::POST));
    }
}
