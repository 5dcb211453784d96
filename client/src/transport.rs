//! The way every request travels: credentials per attempt, the renewal of an access token
//! after a 401, retries as the [`RetryPolicy`] allows, one tracing span per attempt, and a
//! record of what came back so that a failure can become a typed [`Error`].
//!
//! The generated client carries a [`Transport`] as its inner state; its hooks
//! (`crate::hooks`) call [`Transport::execute`]. `crate::call` reads the record.

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use progenitor_client::OperationInfo;
use reqwest::header::{self, AsHeaderName, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use crate::auth::{Authorization, Credentials};
use crate::error::Error;
use crate::retry::{Failure, RetryPolicy};
use crate::waits::{RetryCause, Wait, WaitObserver, WaitReason};

/// The JSON:API media type, sent as `Accept` and as the `Content-Type` of bodies.
pub(crate) const JSON_API: &str = crate::jsonapi::MEDIA_TYPE;

/// The response header Ctrl Hub uses to identify a request for its support team.
pub(crate) const TRACE_ID_HEADER: HeaderName = HeaderName::from_static("x-trace-id");

/// The header progenitor adds with the spec's `info.version`, which Ctrl Hub does not
/// document: it is taken out of every request.
const API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

/// The state the low-level generated client carries: credentials and policies shared by
/// every clone of a [`crate::Client`]. It has no public methods; it is public only because
/// the generated client names it.
#[doc(hidden)]
#[derive(Clone)]
pub struct Transport {
    pub(crate) shared: Arc<Shared>,
    /// Set for calls made through [`crate::Client::call`], which reads it to build a typed
    /// error.
    pub(crate) call: Option<Arc<CallRecord>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("credentials", &self.shared.credentials)
            .field("retry", &self.shared.retry)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
    /// The most bytes of one answer's body the client reads.
    pub(crate) max_answer_size: u64,
    /// Told when a request waits (`ClientBuilder::on_wait`).
    pub(crate) on_wait: Option<WaitObserver>,
    /// The time allowed for one attempt, if limited.
    pub(crate) timeout: Option<std::time::Duration>,
    /// The latest `Date` of an answer, in seconds since the epoch (`NO_DATE` before any).
    latest_date: AtomicI64,
}

const NO_DATE: i64 = i64::MIN;

impl Shared {
    /// Keeps the answer's `Date` if it is later than any seen so far.
    fn note_date(&self, headers: &HeaderMap) {
        let seconds = headers
            .get(header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| chrono::DateTime::parse_from_rfc2822(text).ok())
            .map(|date| date.timestamp());
        if let Some(seconds) = seconds {
            self.latest_date.fetch_max(seconds, Ordering::Relaxed);
        }
    }

    /// The latest `Date` an answer carried, if any did.
    pub(crate) fn latest_date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self.latest_date.load(Ordering::Relaxed) {
            NO_DATE => None,
            seconds => chrono::DateTime::from_timestamp(seconds, 0),
        }
    }
}

/// What one typed call learnt on the way: the final answer's status and headers, and any
/// error a hook met (progenitor can only pass those on as text).
#[derive(Default)]
pub(crate) struct CallRecord(Mutex<CallInfo>);

#[derive(Default)]
pub(crate) struct CallInfo {
    /// The method of the request the operation sent, as the `pre` hook saw it: it decides
    /// whether a failure leaves the outcome unknown.
    pub(crate) method: Option<Method>,
    pub(crate) status: Option<StatusCode>,
    /// The final answer's `Content-Type` and `X-Trace-Id`, kept as they came (made text
    /// only should the call fail).
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) trace_id: Option<HeaderValue>,
    pub(crate) hook_error: Option<Error>,
    pub(crate) attempts: u32,
    pub(crate) retry_after: Option<std::time::Duration>,
    /// The credentials `pre` obtained, handed to `execute` so a call fetches them once.
    pub(crate) authorization: Option<Authorization>,
}

impl CallRecord {
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut CallInfo) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        let mut info = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut info)
    }
}

impl Transport {
    pub(crate) fn new(
        credentials: Credentials,
        retry: RetryPolicy,
        max_answer_size: u64,
        on_wait: Option<WaitObserver>,
        timeout: Option<std::time::Duration>,
    ) -> Self {
        Transport {
            shared: Arc::new(Shared {
                credentials,
                retry,
                max_answer_size,
                on_wait,
                timeout,
                latest_date: AtomicI64::new(NO_DATE),
            }),
            call: None,
        }
    }

    pub(crate) fn record(&self, f: impl FnOnce(&mut CallInfo)) {
        if let Some(call) = &self.call {
            call.with(f);
        }
    }

    /// Sets the media types; the credential header is set per attempt by `execute`.
    pub(crate) fn prepare(request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        // progenitor adds the spec's `info.version` as `api-version`; Ctrl Hub does not
        // document that header, so the request carries only documented ones.
        headers.remove(&API_VERSION_HEADER);
        headers.insert(header::ACCEPT, HeaderValue::from_static(JSON_API));
        if request.body().is_some() {
            request
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API));
        }
    }

    /// Sends `request`, renewing an access token once after a 401 and retrying as the
    /// [`RetryPolicy`] allows. Returns the last answer or transport error; an error of
    /// this crate's own (a failed token request) goes to the call record.
    ///
    /// A function returning a future rather than an `async fn`: an `async fn` keeps its
    /// arguments and a copy of each in its future, and every request's future holds this
    /// one, so the request is captured once (as in `attempt`).
    #[allow(
        clippy::manual_async_fn,
        reason = "an async fn holds the request twice"
    )]
    pub(crate) fn execute(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        async move {
            let credentials = &self.shared.credentials;
            let method = request.method().clone();
            let mut retries = self.shared.retry.start();
            let mut renewed = false;
            let mut attempt = 0u32;
            // `pre` made sure credentials are at hand; should a token run out and fail to
            // renew in between, the request goes without one and Ctrl Hub's 401 is the
            // answer, with the token error recorded for the typed API.
            let handed_over = self
                .call
                .as_ref()
                .and_then(|call| call.with(|info| info.authorization.take()));
            let mut authorization = match handed_over {
                Some(authorization) => Some(authorization),
                None => match credentials.authorization().await {
                    Ok(authorization) => Some(authorization),
                    Err(error) => {
                        self.record(|call| call.hook_error = Some(error));
                        None
                    }
                },
            };
            loop {
                attempt += 1;
                self.record(|call| call.attempts = attempt);
                if let Some(authorization) = &authorization {
                    request
                        .headers_mut()
                        .insert(authorization.name.clone(), authorization.value.clone());
                }
                // A copy for a possible next attempt; JSON bodies are bytes, so this succeeds.
                let spare = request.try_clone();
                let result = self.attempt(http, request, info, attempt).await;

                let failure = match &result {
                    Ok(response) if response.status() == StatusCode::UNAUTHORIZED && !renewed => {
                        let stale = authorization.as_ref().map_or(0, |a| a.generation);
                        match credentials.renew(stale).await {
                            None => return result,
                            Some(Ok(fresh)) => {
                                renewed = true;
                                authorization = Some(fresh);
                                // An earlier token failure no longer explains the outcome.
                                self.record(|call| call.hook_error = None);
                                match spare {
                                    Some(next) => {
                                        request = next;
                                        continue;
                                    }
                                    None => return result,
                                }
                            }
                            Some(Err(error)) => {
                                self.record(|call| call.hook_error = Some(error));
                                return result;
                            }
                        }
                    }
                    Ok(response) => Failure::Answered(response.status(), response.headers()),
                    Err(error) if error.is_connect() => Failure::NotConnected,
                    Err(_) => Failure::MaybeSent,
                };
                let cause = match failure {
                    Failure::Answered(status, headers) => RetryCause::Status {
                        status,
                        retry_after: headers.contains_key(header::RETRY_AFTER),
                    },
                    Failure::NotConnected => RetryCause::NotConnected,
                    Failure::MaybeSent => RetryCause::NoAnswer,
                };
                // `next_wait` declines every answer but 429/502/503/504, successes included.
                let wait = retries.next_wait(&method, attempt, failure);
                let (Some(wait), Some(next)) = (wait, spare) else {
                    return result;
                };
                if let Some(observer) = &self.shared.on_wait {
                    observer.notify(&Wait {
                        operation: info.operation_id,
                        attempt,
                        max_attempts: self.shared.retry.attempts_allowed(),
                        reason: WaitReason::Retry {
                            after: cause,
                            delay: wait,
                        },
                    });
                }
                tracing::debug!(
                    operation = info.operation_id,
                    attempt,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "retrying Ctrl Hub request"
                );
                drop(result);
                tokio::time::sleep(wait).await;
                request = next;
                // Retries can outlast a token's renewal margin; take the current one (a cache
                // read while it is fresh). Should that fail, the old one goes and a 401 tells.
                if let Ok(current) = credentials.authorization().await {
                    authorization = Some(current);
                }
            }
        }
    }

    /// One attempt, in its own tracing span. The request is handed to reqwest before the
    /// future is made (within the span), so the future holds reqwest's, not the request.
    fn attempt<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        info: &OperationInfo,
        attempt: u32,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + 'a {
        let span = tracing::info_span!(
            "ctrlhub.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            trace_id = tracing::field::Empty,
            error = tracing::field::Empty,
        );
        let method = request.method().clone();
        let started = tokio::time::Instant::now();
        let pending = span.in_scope(|| http.execute(request));
        let operation = info.operation_id;
        async move {
            let result = match &self.shared.on_wait {
                None => pending.await,
                Some(observer) => {
                    let allowed = self.shared.retry.attempts_allowed();
                    crate::waits::watched(pending, observer, operation, attempt, allowed).await
                }
            };
            let span = tracing::Span::current();
            match &result {
                Ok(response) => {
                    let headers = response.headers();
                    self.shared.note_date(headers);
                    if !span.is_disabled() {
                        span.record("status", response.status().as_u16());
                        if let Some(id) = text_of(headers.get(&TRACE_ID_HEADER)) {
                            span.record("trace_id", id);
                        }
                    }
                    self.record(|call| {
                        call.status = Some(response.status());
                        call.content_type = headers.get(header::CONTENT_TYPE).cloned();
                        call.trace_id = headers.get(&TRACE_ID_HEADER).cloned();
                        call.retry_after = crate::retry::retry_after(headers);
                    });
                }
                Err(error) => {
                    span.record("error", tracing::field::display(transport_kind(error)));
                }
            }
            // The body is read here, within the attempt: bounded, and timed with it.
            let limit = self.shared.max_answer_size;
            let result = match result {
                Ok(response) => match read_bounded(response, limit).await {
                    Ok(Bounded::Complete(response)) => Ok(response),
                    Ok(Bounded::TooLarge(status, headers)) => {
                        span.record("error", "answer_too_large");
                        Ok(self.too_large(status, headers, limit, &method))
                    }
                    Err(error) => {
                        span.record("error", tracing::field::display(transport_kind(&error)));
                        Err(error)
                    }
                },
                Err(error) => Err(error),
            };
            let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("duration_ms", took);
            result
        }
        .instrument(span)
    }
}

/// An answer whose body was read, or one whose body is larger than the limit (its status
/// and headers, with the rest of the body left unread).
pub(crate) enum Bounded {
    Complete(reqwest::Response),
    TooLarge(http::StatusCode, HeaderMap),
}

/// Reads the body of `response` into memory, at most `limit` bytes of it: a declared
/// `Content-Length` over the limit is refused before reading, and reading stops as soon
/// as the limit is passed. The chunks are kept as they arrive (no buffer that doubles as
/// it grows), so an answer over the limit never costs more than the limit and one chunk.
/// The answer handed on is rebuilt around the bytes with its status, version, headers and
/// URL (given, so reqwest need not parse a stand-in URL).
pub(crate) async fn read_bounded(
    mut response: reqwest::Response,
    limit: u64,
) -> reqwest::Result<Bounded> {
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Ok(Bounded::TooLarge(
            status,
            std::mem::take(response.headers_mut()),
        ));
    }
    // The first chunk is often the whole body: the list of chunks starts with the second.
    let mut first: Option<bytes::Bytes> = None;
    let mut more: Vec<bytes::Bytes> = Vec::new();
    let mut read = 0u64;
    while let Some(chunk) = response.chunk().await? {
        read += chunk.len() as u64;
        if read > limit {
            return Ok(Bounded::TooLarge(
                status,
                std::mem::take(response.headers_mut()),
            ));
        }
        match first {
            None => first = Some(chunk),
            Some(_) => more.push(chunk),
        }
    }
    let bytes = match (first, more.is_empty()) {
        (None, _) => bytes::Bytes::new(),
        (Some(only), true) => only,
        (Some(first), false) => {
            let mut joined = bytes::BytesMut::with_capacity(usize::try_from(read).unwrap_or(0));
            joined.extend_from_slice(&first);
            for chunk in more {
                joined.extend_from_slice(&chunk);
            }
            joined.freeze()
        }
    };
    Ok(Bounded::Complete(rebuilt(response, bytes)))
}

/// `response`'s status, version, headers and URL around `body`.
fn rebuilt(mut response: reqwest::Response, body: bytes::Bytes) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    let builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    match builder.body(body) {
        Ok(mut answer) => {
            *answer.headers_mut() = std::mem::take(response.headers_mut());
            reqwest::Response::from(answer)
        }
        // Status, version and URL come from a valid answer; should the builder still
        // refuse them, the answer is handed on with its body already read (and empty).
        Err(_) => response,
    }
}

impl Transport {
    /// Records the typed error for an answer over the size limit, and hands progenitor a
    /// bodyless 599 in its place: an error status every operation declares, so the call
    /// fails with the recorded error. (Through [`crate::Client::raw`], outside a call, the
    /// 599 is what the caller sees.)
    fn too_large(
        &self,
        status: StatusCode,
        headers: HeaderMap,
        limit: u64,
        method: &Method,
    ) -> reqwest::Response {
        let error = Error::Decode(crate::error::DecodeError {
            status: Some(status),
            content_type: header_text(&headers, header::CONTENT_TYPE),
            snippet: String::new(),
            reason: format!(
                "the answer is larger than the limit of {limit} bytes \
                 (ClientBuilder::max_answer_size); the rest was not read"
            ),
            trace_id: trace_id(&headers),
            outcome: (*method == Method::POST).then_some(crate::error::Outcome::Unknown),
            answer_limit: Some(limit),
        });
        self.record(|call| call.hook_error = Some(error));
        let mut stand_in = http::Response::new(bytes::Bytes::new());
        *stand_in.status_mut() = ANSWER_TOO_LARGE;
        *stand_in.headers_mut() = headers;
        reqwest::Response::from(stand_in)
    }
}

/// The status handed to progenitor in place of an answer over the size limit.
const ANSWER_TOO_LARGE: StatusCode = match StatusCode::from_u16(599) {
    Ok(status) => status,
    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
};

fn transport_kind(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "connect"
    } else if error.is_timeout() {
        "timeout"
    } else {
        "interrupted"
    }
}

pub(crate) fn trace_id(headers: &HeaderMap) -> Option<String> {
    header_text(headers, &TRACE_ID_HEADER)
}

pub(crate) fn header_text(headers: &HeaderMap, name: impl AsHeaderName) -> Option<String> {
    text(headers.get(name))
}

/// A header's value as text, if it is.
pub(crate) fn text(value: Option<&HeaderValue>) -> Option<String> {
    text_of(value).map(str::to_owned)
}

fn text_of(value: Option<&HeaderValue>) -> Option<&str> {
    value.and_then(|value| value.to_str().ok())
}
