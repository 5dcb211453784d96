//! What happens to every request on its way to Ctrl Hub: media types, credentials,
//! tracing, and recording what came back so that failures become a typed [`Error`].
//!
//! The generated client carries a [`Transport`] as its inner state and calls the hooks
//! implemented here (`pre` and `exec` of progenitor's `ClientHooks`).

use std::sync::{Arc, Mutex};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use crate::auth::{Authorization, Credentials};
use crate::error::{
    ApiError, AuthError, DecodeError, Error, Outcome, TransportError, TransportErrorKind,
};
use crate::generated;
use crate::jsonapi::ErrorDocument;
use crate::retry::{Failure, RetryPolicy};

/// The JSON:API media type, sent as `Accept` and as the `Content-Type` of bodies.
pub const JSON_API: &str = "application/vnd.api+json";

/// The response header Ctrl Hub uses to identify a request for its support team.
pub const TRACE_ID_HEADER: &str = "x-trace-id";

/// The state the low-level generated client carries: credentials and policies shared by
/// every clone of a [`crate::Client`].
///
/// Users meet it only through [`crate::Client::raw`]; it has no public methods.
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
    /// Set for calls made by the typed API, which reads it to build a typed error.
    call: Option<Arc<CallRecord>>,
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
}

/// What one typed call learnt on the way: the final answer's status and headers, and any
/// error a hook met (progenitor can only pass those on as text).
#[derive(Default)]
pub(crate) struct CallRecord(Mutex<CallInfo>);

#[derive(Default)]
struct CallInfo {
    status: Option<StatusCode>,
    content_type: Option<String>,
    trace_id: Option<String>,
    hook_error: Option<Error>,
    attempts: u32,
    retry_after: Option<std::time::Duration>,
    /// The credentials `pre` obtained, handed to `execute` so a call fetches them once.
    authorization: Option<Authorization>,
}

impl CallRecord {
    fn with<R>(&self, f: impl FnOnce(&mut CallInfo) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        let mut info = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut info)
    }
}

impl Transport {
    pub(crate) fn new(credentials: Credentials, retry: RetryPolicy) -> Self {
        Transport {
            shared: Arc::new(Shared { credentials, retry }),
            call: None,
        }
    }

    fn record(&self, f: impl FnOnce(&mut CallInfo)) {
        if let Some(call) = &self.call {
            call.with(f);
        }
    }

    /// Sets the media types; the credential header is set per attempt by `execute`.
    fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        // progenitor adds the spec's `info.version` as `api-version`; Ctrl Hub does not
        // document that header, so the request carries only documented ones.
        headers.remove("api-version");
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
    async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let credentials = &self.shared.credentials;
        let method = request.method().clone();
        let mut retries = self.shared.retry.start();
        let mut renewed = false;
        let mut attempt = 0u32;
        let mut request = request;
        // `pre` made sure credentials are at hand; should a token run out and fail to
        // renew in between, the request goes without one and Ctrl Hub's 401 is the answer,
        // with the token error recorded for the typed API.
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
            // `next_wait` declines every answer but 429/502/503/504, successes included.
            let wait = retries.next_wait(&method, attempt, failure);
            let (Some(wait), Some(next)) = (wait, spare) else {
                return result;
            };
            tracing::debug!(
                operation = info.operation_id,
                attempt,
                wait_ms = wait.as_millis() as u64,
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

    /// One attempt, in its own tracing span.
    async fn attempt(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        info: &OperationInfo,
        attempt: u32,
    ) -> reqwest::Result<reqwest::Response> {
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
        async {
            let started = tokio::time::Instant::now();
            let result = http.execute(request).await;
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    let trace_id = trace_id(response.headers());
                    if let Some(id) = &trace_id {
                        span.record("trace_id", id.as_str());
                    }
                    self.record(|call| {
                        call.status = Some(response.status());
                        call.content_type = content_type(response.headers());
                        call.trace_id = trace_id;
                        call.retry_after = crate::retry::retry_after(response.headers());
                    });
                }
                Err(error) => {
                    span.record("error", tracing::field::display(transport_kind(error)));
                }
            }
            result
        }
        .instrument(span)
        .await
    }
}

fn transport_kind(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "connect"
    } else if error.is_timeout() {
        "timeout"
    } else {
        "interrupted"
    }
}

impl ClientHooks<Transport> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let transport = self.inner();
        transport.prepare(request);
        // Fetch (or check) credentials before anything is sent, so that a token endpoint
        // failure stops the request here, as a typed error.
        match transport.shared.credentials.authorization().await {
            Ok(authorization) => {
                transport.record(|call| call.authorization = Some(authorization));
                Ok(())
            }
            Err(error) => {
                let text = error.to_string();
                transport.record(|call| call.hook_error = Some(error));
                Err(progenitor_client::Error::Custom(text))
            }
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().execute(self.client(), request, info).await
    }
}

/// One call of the typed API: a low-level client whose hooks report back to this call.
pub(crate) struct Call {
    pub(crate) raw: generated::Client,
    record: Arc<CallRecord>,
    method: Method,
}

impl Call {
    pub(crate) fn new(raw: &generated::Client, method: Method) -> Self {
        let record = Arc::new(CallRecord::default());
        let transport = Transport {
            shared: raw.inner().shared.clone(),
            call: Some(record.clone()),
        };
        Call {
            raw: generated::Client::new_with_client(raw.baseurl(), raw.client().clone(), transport),
            record,
            method,
        }
    }

    /// Turns the generated client's result into this crate's.
    pub(crate) async fn finish<T>(
        self,
        result: Result<ResponseValue<T>, progenitor_client::Error<ErrorDocument>>,
    ) -> Result<ResponseValue<T>, Error> {
        match result {
            Ok(value) => Ok(value),
            Err(error) => Err(self.error(error).await),
        }
    }

    /// Like [`Call::finish`], for operations documented to answer either 200 with a body or
    /// a bodyless 2xx (204). progenitor cannot describe both (build-support drops the
    /// bodyless one), so it arrives here as an unexpected response and is success.
    pub(crate) async fn finish_allowing_no_content<T>(
        self,
        result: Result<ResponseValue<T>, progenitor_client::Error<ErrorDocument>>,
    ) -> Result<Option<T>, Error> {
        match result {
            Ok(value) => Ok(Some(value.into_inner())),
            Err(progenitor_client::Error::UnexpectedResponse(response))
                if response.status().is_success() =>
            {
                Ok(None)
            }
            // The status says the change was made; the answer's linkage is not needed, so
            // an empty or differently shaped 200 body is as good as a 204.
            Err(progenitor_client::Error::InvalidResponsePayload(_, cause))
                if self
                    .record
                    .with(|call| call.status.is_some_and(|s| s.is_success())) =>
            {
                tracing::debug!(%cause, "success answer without the documented body");
                Ok(None)
            }
            Err(error) => Err(self.error(error).await),
        }
    }

    async fn error(self, error: progenitor_client::Error<ErrorDocument>) -> Error {
        use progenitor_client::Error as E;
        if let Some(error) = self.record.with(|call| call.hook_error.take()) {
            return error;
        }
        match error {
            E::ErrorResponse(value) => {
                let status = value.status();
                let trace_id = trace_id(value.headers());
                let retry_after = crate::retry::retry_after(value.headers());
                self.api_error(status, value.into_inner().errors, trace_id, retry_after)
            }
            E::InvalidResponsePayload(body, cause) => {
                let (status, content_type, trace_id, retry_after) = self.record.with(|call| {
                    let (status, retry_after) = (call.status, call.retry_after);
                    (
                        status,
                        call.content_type.take(),
                        call.trace_id.take(),
                        retry_after,
                    )
                });
                match status {
                    // An error status with no body: the status and trace id say it all.
                    Some(status) if !status.is_success() && is_blank(&body) => {
                        self.api_error(status, Vec::new(), trace_id, retry_after)
                    }
                    _ => Error::Decode(DecodeError {
                        status,
                        content_type,
                        snippet: DecodeError::snippet_of(&body),
                        reason: describe_json_error(&cause),
                        trace_id,
                        outcome: self.outcome_of(status),
                    }),
                }
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                let reason = if status.is_redirection() {
                    format!(
                        "unexpected redirect (status {status}); redirects are not followed so \
                         that credentials never leave the configured base URL"
                    )
                } else {
                    format!("unexpected status {status} for this operation")
                };
                let body = response.bytes().await.unwrap_or_default();
                Error::Decode(DecodeError {
                    status: Some(status),
                    content_type: content_type(&headers),
                    snippet: DecodeError::snippet_of(&body),
                    reason,
                    trace_id: trace_id(&headers),
                    outcome: self.outcome_of(Some(status)),
                })
            }
            E::CommunicationError(source) | E::ResponseBodyError(source) => {
                self.transport_error(source)
            }
            E::InvalidRequest(reason) => Error::invalid_input("request", reason),
            E::InvalidUpgrade(source) => self.transport_error(source),
            // Only this crate's `pre` hook makes custom errors, and it records the typed
            // error first; this arm keeps the text should that ever change.
            E::Custom(reason) => Error::Auth(AuthError::TokenUnavailable { reason }),
        }
    }

    fn api_error(
        &self,
        status: StatusCode,
        errors: Vec<crate::jsonapi::ErrorObject>,
        trace_id: Option<String>,
        retry_after: Option<std::time::Duration>,
    ) -> Error {
        if status == StatusCode::UNAUTHORIZED {
            return Error::Auth(AuthError::Rejected { errors, trace_id });
        }
        Error::Api(ApiError {
            status,
            errors,
            trace_id,
            retry_after,
            outcome: self.outcome_of(Some(status)),
            attempts: self.record.with(|call| call.attempts.max(1)),
        })
    }

    /// Whether a create may have been stored although the call failed: after a 5xx (the
    /// service, or a proxy in front of it, may have failed after storing it) or an
    /// undecodable 2xx (it was stored). Other methods change nothing or may be repeated.
    fn outcome_of(&self, status: Option<StatusCode>) -> Option<Outcome> {
        let maybe_stored = status.is_some_and(|s| s.is_server_error() || s.is_success());
        (self.method == Method::POST && maybe_stored).then_some(Outcome::Unknown)
    }

    fn transport_error(&self, source: reqwest::Error) -> Error {
        let kind = if source.is_connect() {
            TransportErrorKind::Connect
        } else if source.is_timeout() {
            TransportErrorKind::Timeout
        } else {
            TransportErrorKind::Interrupted
        };
        let outcome = if kind == TransportErrorKind::Connect {
            Outcome::NotSent
        } else {
            Outcome::Unknown
        };
        let attempts = self.record.with(|call| call.attempts.max(1));
        Error::Transport(TransportError {
            kind,
            outcome,
            attempts,
            source,
        })
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Eof => format!("the JSON ends early (truncated?): {error}"),
        Category::Syntax => format!("not valid JSON: {error}"),
        Category::Data => format!("JSON of an unexpected shape: {error}"),
        Category::Io => format!("could not read the body: {error}"),
    }
}

pub(crate) fn trace_id(headers: &HeaderMap) -> Option<String> {
    header_text(headers, TRACE_ID_HEADER)
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    header_text(headers, header::CONTENT_TYPE.as_str())
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}
