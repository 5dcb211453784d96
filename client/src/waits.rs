//! Waits a caller can see: what a request waits for, for how long, at which attempt.
//!
//! [`ClientBuilder::on_wait`](crate::ClientBuilder::on_wait) is told each time a request
//! waits before it is sent again (after a 429, 502, 503 or 504, or after a failed
//! connection or a lost answer, as the [`RetryPolicy`](crate::RetryPolicy) allows) and,
//! every [`Wait::NO_ANSWER_NOTICE`], while an attempt has had no answer yet. A progress
//! display can then say why it is not moving.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

/// A request waiting, as an [`on_wait`](crate::ClientBuilder::on_wait) observer sees it.
/// Its `Display` is a sentence for a person, such as `list_customer_interactions: waiting
/// 2 s before attempt 2 of 3 (Ctrl Hub answered 503 and asked for the wait)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wait {
    /// The operation, as the spec names it (`create_customer_interaction`, ...).
    pub operation: &'static str,
    /// The attempt that failed (for a retry) or is waiting for its answer, from 1.
    pub attempt: u32,
    /// The most attempts the retry policy allows.
    pub max_attempts: u32,
    /// What it waits for.
    pub reason: WaitReason,
}

/// What a [`Wait`] waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The next attempt is sent after `delay`.
    Retry {
        /// Why the last attempt failed.
        after: RetryCause,
        /// How long until the next attempt.
        delay: Duration,
    },
    /// The attempt was sent `waited` ago and no answer has come yet (the request's
    /// [timeout](crate::ClientBuilder::timeout) still applies).
    NoAnswerYet {
        /// How long it has waited so far.
        waited: Duration,
    },
}

/// Why an attempt is to be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryCause {
    /// Ctrl Hub (or a proxy) answered with this status.
    Status {
        /// The status: 429, 502, 503 or 504.
        status: StatusCode,
        /// Whether the answer's `Retry-After` set the delay.
        retry_after: bool,
    },
    /// No connection could be made.
    NotConnected,
    /// The connection failed or timed out before an answer came.
    NoAnswer,
}

impl Wait {
    /// How often an attempt without an answer is reported: 5 s, 10 s, 15 s, ...
    pub const NO_ANSWER_NOTICE: Duration = Duration::from_secs(5);
}

/// Whole seconds, or tenths under ten seconds: `0.2 s`, `2.5 s`, `30 s`.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 10.0 && duration.subsec_millis() != 0 {
        format!("{secs:.1} s")
    } else {
        format!("{} s", duration.as_secs())
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Wait {
            operation,
            attempt,
            max_attempts,
            reason,
        } = self;
        match reason {
            WaitReason::Retry { after, delay } => {
                write!(
                    f,
                    "{operation}: waiting {} before attempt {} of {max_attempts} (",
                    seconds(*delay),
                    attempt.saturating_add(1)
                )?;
                match after {
                    RetryCause::Status {
                        status,
                        retry_after: true,
                    } => write!(
                        f,
                        "Ctrl Hub answered {} and asked for the wait)",
                        status.as_u16()
                    ),
                    RetryCause::Status {
                        status,
                        retry_after: false,
                    } => write!(f, "Ctrl Hub answered {})", status.as_u16()),
                    RetryCause::NotConnected => f.write_str("could not connect)"),
                    RetryCause::NoAnswer => f.write_str("no answer came)"),
                }
            }
            WaitReason::NoAnswerYet { waited } => write!(
                f,
                "{operation}: no answer yet after {} (attempt {attempt} of {max_attempts})",
                seconds(*waited)
            ),
        }
    }
}

/// The observer a client calls, shared by its clones.
#[derive(Clone)]
pub(crate) struct WaitObserver(pub(crate) Arc<dyn Fn(&Wait) + Send + Sync>);

impl fmt::Debug for WaitObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WaitObserver")
    }
}

impl WaitObserver {
    pub(crate) fn notify(&self, wait: &Wait) {
        (self.0)(wait);
    }
}

/// Awaits `pending`, telling `observer` every [`Wait::NO_ANSWER_NOTICE`] that no answer
/// has come yet.
pub(crate) async fn watched<T>(
    pending: impl Future<Output = T>,
    observer: &WaitObserver,
    operation: &'static str,
    attempt: u32,
    max_attempts: u32,
) -> T {
    let mut pending = std::pin::pin!(pending);
    let mut waited = Duration::ZERO;
    loop {
        let notice = std::pin::pin!(tokio::time::sleep(Wait::NO_ANSWER_NOTICE));
        match futures_util::future::select(pending.as_mut(), notice).await {
            futures_util::future::Either::Left((result, _)) => return result,
            futures_util::future::Either::Right(((), _)) => {
                waited += Wait::NO_ANSWER_NOTICE;
                observer.notify(&Wait {
                    operation,
                    attempt,
                    max_attempts,
                    reason: WaitReason::NoAnswerYet { waited },
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
