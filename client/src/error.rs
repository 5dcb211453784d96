//! The one error type of this crate.
//!
//! Every failure is one of five kinds, so that a caller can decide what to do next:
//! fix the request ([`Error::Api`], [`Error::InvalidInput`]), fix the credentials
//! ([`Error::Auth`]), retry or check ([`Error::Transport`]), or report a misbehaving
//! server or proxy ([`Error::Decode`]). No error carries a credential.

use std::fmt;

use reqwest::StatusCode;

use crate::jsonapi::ErrorObject;

/// Everything that can go wrong when talking to Ctrl Hub.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Ctrl Hub answered with an error status (other than 401) and, usually, a JSON:API
    /// error document.
    Api(ApiError),
    /// The credentials were missing, refused or could not be exchanged for a token.
    Auth(AuthError),
    /// The answer could not be understood: not JSON, truncated, or not the documented shape.
    Decode(DecodeError),
    /// The request did not complete: no connection, a timeout, or a connection dropped.
    Transport(TransportError),
    /// The input was rejected before anything was sent.
    InvalidInput(InputError),
    /// A list answer's `meta.features` says the endpoint does not support a filter, sort or
    /// include the request used: its items were not used, as they were not what was asked.
    Unsupported(UnsupportedOption),
}

impl Error {
    /// The HTTP status of the answer this error came from, if there was one.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Auth(e) => e.status(),
            Error::Decode(e) => e.status,
            Error::Transport(_) | Error::InvalidInput(_) | Error::Unsupported(_) => None,
        }
    }

    /// The `X-Trace-Id` Ctrl Hub gave the failed request; quote it to Ctrl Hub support.
    #[must_use]
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.trace_id.as_deref(),
            Error::Auth(AuthError::Rejected { trace_id, .. }) => trace_id.as_deref(),
            Error::Decode(e) => e.trace_id.as_deref(),
            _ => None,
        }
    }

    /// Whether Ctrl Hub may have acted on the failed request: a create that timed out,
    /// lost its connection mid-answer, got a 5xx, or got a success answer that could not
    /// be decoded. Check before sending it again.
    #[must_use]
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::Transport(e) => e.outcome == Outcome::Unknown,
            Error::Api(e) => e.outcome == Some(Outcome::Unknown),
            Error::Decode(e) => e.outcome == Some(Outcome::Unknown),
            _ => false,
        }
    }

    pub(crate) fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput(InputError {
            field: field.into(),
            reason: reason.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Auth(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::InvalidInput(e) => e.fmt(f),
            Error::Unsupported(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(&e.source),
            _ => None,
        }
    }
}

/// Ctrl Hub answered with an error status.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The problems Ctrl Hub listed; empty when the answer had no body (a 500 never has one).
    pub errors: Vec<ErrorObject>,
    /// The `X-Trace-Id` response header, for Ctrl Hub support.
    pub trace_id: Option<String>,
    /// How long Ctrl Hub asked the client to wait (`Retry-After`), on 429 and 503.
    pub retry_after: Option<std::time::Duration>,
    /// `Some(Outcome::Unknown)` for a server error (5xx) to a create: Ctrl Hub may have
    /// stored the interaction before failing, so check before creating it again.
    pub outcome: Option<Outcome>,
    /// How many times the request was sent.
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ctrl Hub answered {}", self.status)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        for (i, error) in self.errors.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            error.fmt(f)?;
        }
        write_trace_id(f, self.trace_id.as_deref())?;
        if self.outcome == Some(Outcome::Unknown) {
            f.write_str(UNKNOWN_OUTCOME)?;
        }
        Ok(())
    }
}

/// Authentication failed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthError {
    /// Ctrl Hub refused the credentials (HTTP 401), after one token renewal where the
    /// client holds a service-account key.
    Rejected {
        /// The problems Ctrl Hub listed, if any.
        errors: Vec<ErrorObject>,
        /// The `X-Trace-Id` response header.
        trace_id: Option<String>,
    },
    /// The OAuth2 token endpoint refused the client credentials.
    TokenRefused {
        /// The token endpoint's HTTP status.
        status: StatusCode,
        /// The OAuth2 `error` code, such as `invalid_client`.
        error: Option<String>,
        /// The OAuth2 `error_description`.
        description: Option<String>,
    },
    /// The OAuth2 token endpoint could not be reached or gave an answer without a token.
    TokenUnavailable {
        /// What went wrong.
        reason: String,
    },
}

impl AuthError {
    fn status(&self) -> Option<StatusCode> {
        match self {
            AuthError::Rejected { .. } => Some(StatusCode::UNAUTHORIZED),
            AuthError::TokenRefused { status, .. } => Some(*status),
            AuthError::TokenUnavailable { .. } => None,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Rejected { errors, trace_id } => {
                f.write_str("Ctrl Hub refused the credentials (401 Unauthorized)")?;
                for error in errors {
                    write!(f, ": {error}")?;
                }
                write_trace_id(f, trace_id.as_deref())
            }
            AuthError::TokenRefused {
                status,
                error,
                description,
            } => {
                write!(
                    f,
                    "the token endpoint refused the client credentials ({status}"
                )?;
                if let Some(error) = error {
                    write!(f, ", {error}")?;
                }
                f.write_str(")")?;
                if let Some(description) = description {
                    write!(f, ": {description}")?;
                }
                Ok(())
            }
            AuthError::TokenUnavailable { reason } => {
                write!(f, "no access token could be obtained: {reason}")
            }
        }
    }
}

/// An answer that could not be understood.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the answer, when it is known.
    pub status: Option<StatusCode>,
    /// The answer's `Content-Type`, if it had one.
    pub content_type: Option<String>,
    /// The start of the body (at most [`DecodeError::SNIPPET_LEN`] characters), with runs of
    /// white space folded; enough to recognise a proxy's error page.
    pub snippet: String,
    /// Why it could not be decoded.
    pub reason: String,
    /// The `X-Trace-Id` response header, if any.
    pub trace_id: Option<String>,
    /// `Some(Outcome::Unknown)` when the answer was to a create and was a 5xx (a proxy's
    /// error page, say) or a 2xx: the interaction may have been stored.
    pub outcome: Option<Outcome>,
    /// The configured [maximum answer size](crate::ClientBuilder::max_answer_size), when
    /// the answer was larger and reading stopped there.
    pub answer_limit: Option<u64>,
}

impl DecodeError {
    /// The most characters of a body kept in [`DecodeError::snippet`].
    pub const SNIPPET_LEN: usize = 200;

    /// A decode failure found in data already received (not tied to one HTTP answer).
    pub(crate) fn without_answer(reason: String) -> Error {
        Error::Decode(DecodeError {
            status: None,
            content_type: None,
            snippet: String::new(),
            reason,
            trace_id: None,
            outcome: None,
            answer_limit: None,
        })
    }

    pub(crate) fn snippet_of(body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let mut snippet = String::new();
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                snippet.push(' ');
            }
            snippet.push_str(word);
            if snippet.chars().count() >= Self::SNIPPET_LEN {
                break;
            }
        }
        match snippet.char_indices().nth(Self::SNIPPET_LEN) {
            Some((cut, _)) => {
                snippet.truncate(cut);
                snippet.push('…');
                snippet
            }
            None => snippet,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not decode Ctrl Hub's answer")?;
        if let Some(status) = self.status {
            write!(f, " ({status}")?;
            if let Some(content_type) = &self.content_type {
                write!(f, ", {content_type}")?;
            }
            f.write_str(")")?;
        }
        write!(f, ": {}", self.reason)?;
        if !self.snippet.is_empty() {
            write!(f, "; the body starts: {}", self.snippet)?;
        }
        write_trace_id(f, self.trace_id.as_deref())?;
        if self.outcome == Some(Outcome::Unknown) {
            f.write_str(UNKNOWN_OUTCOME)?;
        }
        Ok(())
    }
}

/// Whether Ctrl Hub may have acted on a request that failed in transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The request provably never reached Ctrl Hub (no connection could be made).
    NotSent,
    /// The request may or may not have been processed; for a create, check before
    /// creating again.
    Unknown,
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made.
    Connect,
    /// No complete answer arrived in time.
    Timeout,
    /// The connection failed while the request was sent or the answer read.
    Interrupted,
}

/// The request did not complete.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// Whether Ctrl Hub may have acted on the request.
    pub outcome: Outcome,
    /// How many times the request was tried.
    pub attempts: u32,
    /// Where the request went: the host, and the port when it is not the scheme's
    /// default (`api.ctrl-hub.com`, `127.0.0.1:8080`). Never a path, a query or a
    /// credential.
    pub host: String,
    /// What the failure was underneath, as far as it can be told.
    pub cause: TransportCause,
    /// The innermost message of the failure, when it names no URL (`invalid peer
    /// certificate: UnknownIssuer`); empty otherwise.
    pub detail: String,
    pub(crate) source: reqwest::Error,
}

/// The cause underneath a [`TransportError`], named for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportCause {
    /// The connection was refused: nothing listens at the host and port.
    Refused,
    /// The host name does not resolve.
    Dns,
    /// The TLS handshake failed (a certificate, or something else than TLS answered).
    Tls,
    /// No answer came in time.
    TimedOut,
    /// Something else (see [`TransportError::detail`]).
    Other,
}

impl TransportCause {
    /// The cause of `error` and its detail, from the kinds and messages of its chain.
    pub(crate) fn of(error: &reqwest::Error) -> (TransportCause, String) {
        Self::of_chain(error, error.is_timeout())
    }

    /// The cause of the chain from `error`: an I/O error of kind `ConnectionRefused`
    /// anywhere in it is a refusal, whatever the system's words for it.
    fn of_chain(
        error: &(dyn std::error::Error + 'static),
        timed_out: bool,
    ) -> (TransportCause, String) {
        let mut chain = Vec::new();
        let mut refused = false;
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cause) = next {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            }
            chain.push(cause.to_string());
            next = cause.source();
        }
        Self::named(&chain, refused, timed_out)
    }

    /// Names the cause from the messages of a chain (outermost first), and gives the
    /// innermost message that names no URL (the outer ones carry it).
    pub(crate) fn named(
        chain: &[String],
        refused: bool,
        timed_out: bool,
    ) -> (TransportCause, String) {
        let all = chain.join(": ").to_lowercase();
        let cause = if refused || all.contains("connection refused") {
            TransportCause::Refused
        } else if all.contains("dns error") || all.contains("failed to lookup address") {
            TransportCause::Dns
        } else if [
            "tls",
            "certificate",
            "handshake",
            "invalidcontenttype",
            "corrupt message",
        ]
        .iter()
        .any(|sign| all.contains(sign))
        {
            TransportCause::Tls
        } else if timed_out || all.contains("timed out") {
            TransportCause::TimedOut
        } else {
            TransportCause::Other
        };
        let detail = chain
            .iter()
            .rev()
            .find(|message| !message.contains("://"))
            .cloned()
            .unwrap_or_default();
        (cause, detail)
    }
}

impl fmt::Display for TransportCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportCause::Refused => "the connection was refused",
            TransportCause::Dns => "the host name does not resolve (DNS)",
            TransportCause::Tls => "TLS failed",
            TransportCause::TimedOut => "timed out",
            TransportCause::Other => "the transport failed",
        })
    }
}

/// `host` or `host:port` (a port only when it is not the scheme's default).
pub(crate) fn host_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("the configured host");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        match self.kind {
            TransportErrorKind::Connect => write!(f, "could not connect to {host}")?,
            TransportErrorKind::Timeout => write!(f, "{host} did not answer in time")?,
            TransportErrorKind::Interrupted => {
                write!(f, "the connection to {host} failed mid-request")?;
            }
        }
        if self.kind != TransportErrorKind::Timeout || self.cause != TransportCause::TimedOut {
            write!(f, ": {}", self.cause)?;
            let plain = matches!(
                self.cause,
                TransportCause::Refused | TransportCause::TimedOut
            );
            if !plain && !self.detail.is_empty() {
                write!(f, " ({})", self.detail)?;
            }
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        match self.outcome {
            Outcome::NotSent => f.write_str("; the request was not sent"),
            Outcome::Unknown => f.write_str(UNKNOWN_OUTCOME),
        }
    }
}

/// Input rejected before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputError {
    /// The field, setting or environment variable at fault.
    pub field: String,
    /// Why it was rejected.
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.reason)
    }
}

/// A filter, sort or include a list endpoint says (in `meta.features`) it does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnsupportedOption {
    /// The parameter: `filter`, `sort` or `include`.
    pub parameter: &'static str,
    /// The option the request used (a sort field without its `-`).
    pub option: String,
    /// The options the endpoint says it supports.
    pub supported: Vec<String>,
}

impl fmt::Display for UnsupportedOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this list does not support {} `{}`; Ctrl Hub lists these: {} (no item of the \
             answer was used)",
            self.parameter,
            self.option,
            self.supported.join(", ")
        )
    }
}

const UNKNOWN_OUTCOME: &str =
    "; the outcome is unknown: Ctrl Hub may or may not have processed the request";

fn write_trace_id(f: &mut fmt::Formatter<'_>, trace_id: Option<&str>) -> fmt::Result {
    match trace_id {
        Some(id) => write!(f, " (X-Trace-Id {id})"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
