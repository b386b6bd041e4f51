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

    /// Exponential backoff with equal jitter for retry number `attempt` (0-based): the step
    /// (`base_delay` doubled per attempt, at most `max_delay`) times a random factor in
    /// [0.5, 1), so retries spread out but never come sooner than half a step.
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

/// `Retry-After` as a wait: delay seconds, or an HTTP date (a date in the past is no wait).
/// The caller compares it with [`RetryPolicy::max_retry_after`].
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
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

    /// The wait `Retry-After: value` asks for.
    fn wait_for(value: &str) -> Option<Duration> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, value.parse().unwrap());
        retry_after(&headers)
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(wait_for(" 7 "), Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_an_http_date_in_the_future() {
        let at = std::time::SystemTime::now() + Duration::from_secs(120);
        let wait = wait_for(&httpdate::fmt_http_date(at)).expect("a date is a wait");
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
    }

    #[test]
    fn retry_after_an_http_date_in_the_past() {
        assert_eq!(
            wait_for("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage() {
        assert_eq!(wait_for("soon"), None);
    }
}
