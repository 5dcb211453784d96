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
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every request is sent once.
    #[must_use]
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The most attempts it allows.
    pub(crate) fn attempts_allowed(&self) -> u32 {
        self.max_attempts
    }

    /// How many times a request may be sent in all (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, before jitter.
    #[must_use]
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest computed wait between two attempts, before jitter.
    #[must_use]
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The latest a retry may start, counted from the first attempt; a retry whose wait
    /// (computed or asked for by `Retry-After`) would end later is not made.
    #[must_use]
    pub fn max_elapsed(mut self, limit: Duration) -> Self {
        self.max_elapsed = limit;
        self
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
#[derive(Clone, Copy)]
pub(crate) enum Failure<'a> {
    /// No connection could be made: the request never reached the server.
    NotConnected,
    /// The request failed after it may have reached the server (timeout, reset).
    MaybeSent,
    /// The server answered with this status and headers.
    Answered(StatusCode, &'a HeaderMap),
}

impl Retries<'_> {
    /// The wait before sending again a request Ctrl Hub refused without processing it
    /// (429) at attempt `attempt`: what `Retry-After` asked (`asked`) or the backoff,
    /// within the policy's bounds; `None` when no attempt is left.
    pub(crate) fn next_wait_refused(
        &mut self,
        attempt: u32,
        asked: Option<Duration>,
    ) -> Option<Duration> {
        self.wait_within_policy(attempt, asked)
    }

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
        self.wait_within_policy(attempt, asked)
    }

    /// What `asked` (or else the backoff) allows after attempt `attempt`, within the
    /// policy's attempts and total time; `None` when no attempt is left.
    fn wait_within_policy(&mut self, attempt: u32, asked: Option<Duration>) -> Option<Duration> {
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
mod tests;
