//! One call of a generated operation, and how its result becomes this crate's [`Error`].
//!
//! The call hands the operation a low-level client whose hooks report to this call's
//! record (the method sent, the final status and headers, attempts, any error a hook met),
//! since progenitor's own error cannot carry them.

use std::sync::Arc;

use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::header;
use reqwest::{Method, StatusCode};

use crate::error::{
    ApiError, AuthError, DecodeError, Error, Outcome, TransportCause, TransportError,
    TransportErrorKind, host_of,
};
use crate::generated;
use crate::jsonapi::{ErrorDocument, ErrorObject};
use crate::transport::{CallRecord, Transport, header_text, text, trace_id};

/// What a generated operation returns.
pub(crate) type RawResult<T> = Result<ResponseValue<T>, progenitor_client::Error<ErrorDocument>>;

/// The record of one call in progress.
pub(crate) struct Call {
    record: Arc<CallRecord>,
}

impl Call {
    /// A call, and the low-level client the operation must be sent with.
    pub(crate) fn start(raw: &generated::Client) -> (Call, generated::Client) {
        let record = Arc::new(CallRecord::default());
        let transport = Transport {
            shared: raw.inner().shared.clone(),
            call: Some(record.clone()),
        };
        let client =
            generated::Client::new_with_client(raw.baseurl(), raw.client().clone(), transport);
        (Call { record }, client)
    }

    /// This crate's error for the generated client's. Boxed: failures are rare, and the
    /// future of every call that holds this one need not make room for it. (The answer's
    /// path goes without it: callers match on the operation's result themselves, so that
    /// no future of the operation is moved into another one.)
    pub(crate) async fn fail(self, error: progenitor_client::Error<ErrorDocument>) -> Error {
        Box::pin(self.error(error)).await
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
                        text(call.content_type.as_ref()),
                        text(call.trace_id.as_ref()),
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
                        answer_limit: None,
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
                    content_type: header_text(&headers, header::CONTENT_TYPE),
                    snippet: DecodeError::snippet_of(&body),
                    reason,
                    trace_id: trace_id(&headers),
                    outcome: self.outcome_of(Some(status)),
                    answer_limit: None,
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
        errors: Vec<ErrorObject>,
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
            attempts: self.attempts(),
        })
    }

    fn attempts(&self) -> u32 {
        self.record.with(|call| call.attempts.max(1))
    }

    /// Whether a create may have been stored although the call failed: after a 5xx (the
    /// service, or a proxy in front of it, may have failed after storing it) or an
    /// undecodable 2xx (it was stored). Other methods change nothing or may be repeated.
    /// The method is the one the request was sent with, whatever the caller thought.
    fn outcome_of(&self, status: Option<StatusCode>) -> Option<Outcome> {
        let maybe_stored = status.is_some_and(|s| s.is_server_error() || s.is_success());
        let is_post = self.record.with(|call| call.method == Some(Method::POST));
        (is_post && maybe_stored).then_some(Outcome::Unknown)
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
        // reqwest names the URL of every request it fails to send.
        let host = source.url().map_or_else(|| "Ctrl Hub".to_owned(), host_of);
        let (cause, detail) = TransportCause::of(&source);
        Error::Transport(TransportError {
            kind,
            outcome,
            attempts: self.attempts(),
            host,
            cause,
            detail,
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
