//! When and how long to wait before trying a request again.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// How the client retries requests that failed in a way worth retrying.
///
/// What is retried:
/// - `GET`, `PUT` and `PATCH` after a connection error, a timeout, or an answer of 429,
///   502, 503 or 504;
/// - every request, `POST` included, when no connection could be made: the request
///   provably never reached Ctrl Hub.
///
/// A `POST` is never repeated after it may have reached Ctrl Hub (a timeout, a connection
/// dropped mid-answer, any status but 401), so one `create` never records two
/// interactions. After a 401 a service-account client renews its token and sends the
/// request once more, as for every method: a refused request was not processed.
///
/// Waits grow exponentially from [`initial_backoff`](RetryPolicy::initial_backoff) up to
/// [`max_backoff`](RetryPolicy::max_backoff), each with random jitter of up to the same
/// again; a `Retry-After` header (seconds or HTTP-date) replaces the computed wait. No
/// retry is made once it would pass the bound on attempts, or start later than
/// [`max_elapsed`](RetryPolicy::max_elapsed) after the first attempt; so a request takes
/// at most that long plus one attempt's timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// Up to 3 attempts, waits from 200 ms up to 5 s, no retry starting later than 90 s
    /// after the first attempt (room for two attempts that hit the default 30 s timeout).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(90),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`RetryPolicy::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every request is sent once.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// How many times a request may be sent in all (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, before jitter.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest computed wait between two attempts, before jitter.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The latest a retry may start, counted from the first attempt; a retry whose wait
    /// (computed or asked for by `Retry-After`) would end later is not made.
    pub fn max_elapsed(mut self, limit: Duration) -> Self {
        self.max_elapsed = limit;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn start(&self) -> Retries<'_> {
        let backoff = ExponentialBuilder::new()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_jitter()
            .without_max_times()
            .build();
        Retries {
            policy: self,
            backoff,
            started: tokio::time::Instant::now(),
        }
    }
}

/// The retry state of one request.
pub(crate) struct Retries<'a> {
    policy: &'a RetryPolicy,
    backoff: backon::ExponentialBackoff,
    started: tokio::time::Instant,
}

/// What went wrong with one attempt, as far as retrying is concerned.
pub(crate) enum Failure<'a> {
    /// No connection could be made: the request never reached the server.
    NotConnected,
    /// The request failed after it may have reached the server (timeout, reset).
    MaybeSent,
    /// The server answered with this status and headers.
    Answered(StatusCode, &'a HeaderMap),
}

impl Retries<'_> {
    /// The wait before attempt `attempt + 1`, or `None` when the request is not retried.
    pub(crate) fn next_wait(
        &mut self,
        method: &Method,
        attempt: u32,
        failure: Failure<'_>,
    ) -> Option<Duration> {
        let repeatable = matches!(*method, Method::GET | Method::PUT | Method::PATCH);
        let asked = match failure {
            Failure::NotConnected => None,
            Failure::MaybeSent if repeatable => None,
            Failure::Answered(status, headers) if repeatable && retryable_status(status) => {
                retry_after(headers)
            }
            _ => return None,
        };
        if attempt >= self.policy.max_attempts {
            return None;
        }
        let computed = self.backoff.next();
        let wait = asked.or(computed)?;
        let retry_at = self.started.elapsed().checked_add(wait)?;
        (retry_at <= self.policy.max_elapsed).then_some(wait)
    }
}

fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The wait a `Retry-After` header asks for, in either of its forms: delay-seconds
/// (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(text, SystemTime::now())
}

fn parse_retry_after(text: &str, now: SystemTime) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let when = SystemTime::from(date);
    // A date in the past means "now".
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now =
            SystemTime::from(chrono::DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z").unwrap());
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    fn headers(retry_after: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn post_is_retried_only_when_it_never_left() {
        let policy = RetryPolicy::default();
        let mut retries = policy.start();
        let h = headers(None);
        assert!(
            retries
                .next_wait(&Method::POST, 1, Failure::MaybeSent)
                .is_none()
        );
        assert!(
            retries
                .next_wait(
                    &Method::POST,
                    1,
                    Failure::Answered(StatusCode::SERVICE_UNAVAILABLE, &h)
                )
                .is_none()
        );
        assert!(
            retries
                .next_wait(
                    &Method::POST,
                    1,
                    Failure::Answered(StatusCode::TOO_MANY_REQUESTS, &h)
                )
                .is_none()
        );
        assert!(
            retries
                .next_wait(&Method::POST, 1, Failure::NotConnected)
                .is_some()
        );
    }

    #[test]
    fn idempotent_methods_retry_the_listed_statuses_only() {
        let policy = RetryPolicy::default();
        let h = headers(None);
        for status in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(
                policy
                    .start()
                    .next_wait(&Method::GET, 1, Failure::Answered(status, &h))
                    .is_some()
            );
        }
        for status in [400, 401, 404, 409, 500] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(
                policy
                    .start()
                    .next_wait(&Method::PUT, 1, Failure::Answered(status, &h))
                    .is_none()
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_grow_with_jitter_and_stop_at_the_bounds() {
        let policy = RetryPolicy::default()
            .max_attempts(10)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(400))
            .max_elapsed(Duration::from_secs(2));
        let mut retries = policy.start();
        let mut waits = Vec::new();
        let mut attempt = 1;
        while let Some(wait) = retries.next_wait(&Method::GET, attempt, Failure::MaybeSent) {
            tokio::time::sleep(wait).await;
            waits.push(wait);
            attempt += 1;
        }
        // Base waits 100, 200, 400, 400, ... ms, each plus up to 100% jitter.
        for (wait, base) in waits.iter().zip([100u64, 200, 400, 400, 400, 400]) {
            let base = Duration::from_millis(base);
            assert!(
                *wait >= base && *wait <= base * 2,
                "{wait:?} for base {base:?}"
            );
        }
        assert!(waits.iter().sum::<Duration>() <= Duration::from_secs(2));
        assert!(attempt <= 10);
        assert!(
            waits.len() >= 3,
            "at least three retries fit in 2 s: {waits:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_replaces_the_backoff_but_not_the_bounds() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(10));
        let h = headers(Some("2"));
        let mut retries = policy.start();
        assert_eq!(
            retries.next_wait(
                &Method::GET,
                1,
                Failure::Answered(StatusCode::TOO_MANY_REQUESTS, &h)
            ),
            Some(Duration::from_secs(2))
        );
        let too_long = headers(Some("60"));
        assert_eq!(
            policy.start().next_wait(
                &Method::GET,
                1,
                Failure::Answered(StatusCode::SERVICE_UNAVAILABLE, &too_long)
            ),
            None
        );
        // The attempt bound holds whatever the server asks.
        assert_eq!(
            retries.next_wait(
                &Method::GET,
                3,
                Failure::Answered(StatusCode::TOO_MANY_REQUESTS, &h)
            ),
            None
        );
        assert_eq!(
            RetryPolicy::disabled()
                .start()
                .next_wait(&Method::GET, 1, Failure::NotConnected),
            None
        );
    }
}
