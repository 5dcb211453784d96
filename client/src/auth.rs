//! Credentials and the request header that carries them.
//!
//! Two kinds exist: a user's session token (`X-Session-Token`), and a service-account key
//! (OAuth2 client credentials) exchanged for an access token sent as `Authorization:
//! Bearer`. The access token is cached, shared by every clone of a client, renewed ahead
//! of its expiry and after a 401, and fetched by one request at a time however many calls
//! need it (single flight).
//!
//! The exchange is written here rather than with the `oauth2` crate: `oauth2` 5 is built
//! on reqwest 0.12, while progenitor's client needs reqwest 0.13, so it would bring a
//! second HTTP and TLS stack; and the part that matters here (caching, single flight,
//! renewal on 401, never leaking the secret) would still be ours. The exchange itself is
//! one form POST (RFC 6749 section 4.4).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{self, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{AuthError, Error};
use crate::transport::{Bounded, read_bounded};

/// The header a session token travels in.
pub(crate) const SESSION_TOKEN_HEADER: &str = "x-session-token";

/// How the client proves who it is. Never printed: `Debug` shows only the kind.
pub(crate) enum Credentials {
    /// A user's login session: the `X-Session-Token` value, built once (and marked
    /// sensitive) when the client is built, then shared by every request.
    SessionToken(HeaderValue),
    /// A service-account key, exchanged for access tokens.
    ServiceAccount(Box<TokenSource>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::SessionToken(_) => f.write_str("SessionToken([redacted])"),
            Credentials::ServiceAccount(source) => f
                .debug_struct("ServiceAccount")
                .field("token_url", &source.token_url.as_str())
                .field("client_id", &source.client_id)
                .field("client_secret", &"[redacted]")
                .finish(),
        }
    }
}

/// The credential header of one request, and which access token it carries (so that a
/// 401 renews that token and not one another call has renewed already).
pub(crate) struct Authorization {
    pub(crate) name: HeaderName,
    pub(crate) value: HeaderValue,
    pub(crate) generation: u64,
}

impl Credentials {
    /// Session-token credentials: the token as a header value, marked sensitive.
    pub(crate) fn session_token(token: &SecretString) -> Result<Credentials, Error> {
        secret_header_value(token.expose_secret(), "session_token").map(Credentials::SessionToken)
    }

    /// The header that authenticates a request, fetching an access token if none is fresh.
    ///
    /// The token request is boxed: every request's future holds this one, and a session
    /// token, or a cached access token, needs none of the room a token request takes.
    pub(crate) async fn authorization(&self) -> Result<Authorization, Error> {
        match self {
            Credentials::SessionToken(value) => Ok(Authorization {
                name: HeaderName::from_static(SESSION_TOKEN_HEADER),
                value: value.clone(),
                generation: 0,
            }),
            Credentials::ServiceAccount(source) => Box::pin(source.authorization(None)).await,
        }
    }

    /// After a 401 to a request that carried `stale`: a fresh header, or `None` when these
    /// credentials cannot be renewed (a session token). Boxed, as `authorization` is.
    pub(crate) async fn renew(&self, stale: u64) -> Option<Result<Authorization, Error>> {
        match self {
            Credentials::SessionToken(_) => None,
            Credentials::ServiceAccount(source) => {
                Some(Box::pin(source.authorization(Some(stale))).await)
            }
        }
    }
}

/// Exchanges a service-account key for access tokens and caches them.
pub(crate) struct TokenSource {
    pub(crate) token_url: url::Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) http: reqwest::Client,
    /// Held across the token request: that is what makes it single flight.
    cache: Mutex<TokenCache>,
    /// `TokenCache::failures`, readable without the lock.
    failures: AtomicU64,
    /// The generation of the cached token, readable without the lock.
    generation: AtomicU64,
    /// The time allowed for a token request: the client's timeout, at most 30 s.
    timeout: Duration,
}

#[derive(Default)]
struct TokenCache {
    token: Option<CachedToken>,
    /// The last failed token request: callers that were already waiting when it failed
    /// get the same error instead of each trying again in turn.
    failed: Option<AuthError>,
    /// How many token requests have failed; read before waiting for the lock.
    failures: u64,
}

/// The most of a token answer that is read: a real one is a few hundred bytes.
const TOKEN_ANSWER_LIMIT: u64 = 64 * 1024;

/// The most a token request may take, whatever the client's own timeouts.
const TOKEN_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Token lifetimes beyond this are treated as this (and keep the clock arithmetic safe).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

struct CachedToken {
    header: HeaderValue,
    /// When to stop using it: ahead of `expires_in`, or never when the server gave none.
    renew_at: Option<Instant>,
    generation: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default, deserialize_with = "seconds")]
    expires_in: Option<u64>,
}

/// `expires_in` as a number or, as some servers send it, a numeric string. A value that
/// is no usable number of seconds (negative, text) is treated as absent: the token is
/// then used until a 401 says otherwise.
fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    let number = match &value {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(text)) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    // Whole seconds; the cast saturates for huge values, which are capped later anyway.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "finite and not negative; a fraction is dropped and a huge value saturates, as intended"
    )]
    let whole = |n: f64| n as u64;
    Ok(number.filter(|n| n.is_finite() && *n >= 0.0).map(whole))
}

#[derive(Deserialize)]
struct TokenError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl TokenSource {
    pub(crate) fn new(
        token_url: url::Url,
        client_id: String,
        client_secret: SecretString,
        http: reqwest::Client,
        timeout: Option<Duration>,
    ) -> Self {
        TokenSource {
            token_url,
            client_id,
            client_secret,
            http,
            cache: Mutex::new(TokenCache::default()),
            failures: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            timeout: timeout.map_or(TOKEN_REQUEST_TIMEOUT, |t| t.min(TOKEN_REQUEST_TIMEOUT)),
        }
    }

    async fn authorization(&self, stale: Option<u64>) -> Result<Authorization, Error> {
        // Read before waiting for the lock: what another caller fetched, or failed to
        // fetch, while this one waited is taken as this one's answer (single flight).
        let failures_before = self.failures.load(Ordering::Acquire);
        let generation_before = self.generation.load(Ordering::Acquire);
        let mut cache = self.cache.lock().await;
        if let Some(token) = cache.token.as_ref() {
            let fresh = token.renew_at.is_none_or(|at| Instant::now() < at);
            // After a 401, a token renewed since the refused request is used as it is.
            let refused = stale == Some(token.generation);
            let fetched_meanwhile = token.generation > generation_before;
            if (fresh || fetched_meanwhile) && !refused {
                return Ok(token.authorization());
            }
        }
        if cache.failures > failures_before
            && let Some(error) = &cache.failed
        {
            return Err(Error::Auth(error.clone()));
        }
        let generation = cache.token.as_ref().map_or(1, |t| t.generation + 1);
        match self.fetch(generation).await {
            Ok(token) => {
                let authorization = token.authorization();
                cache.token = Some(token);
                cache.failed = None;
                self.generation.store(generation, Ordering::Release);
                Ok(authorization)
            }
            Err(error) => {
                cache.failed = Some(error.clone());
                cache.failures += 1;
                self.failures.store(cache.failures, Ordering::Release);
                Err(Error::Auth(error))
            }
        }
    }

    async fn fetch(&self, generation: u64) -> Result<CachedToken, AuthError> {
        let unavailable = |reason: String| AuthError::TokenUnavailable {
            reason: self.redact(&reason),
        };
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
        ];
        let started = Instant::now();
        let response = self
            .http
            .post(self.token_url.clone())
            .header(header::ACCEPT, "application/json")
            .timeout(self.timeout)
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable(format!("the token endpoint could not be reached: {e}")))?;
        let status = response.status();
        let unreadable =
            |e: reqwest::Error| unavailable(format!("the token answer could not be read: {e}"));
        let body = match read_bounded(response, TOKEN_ANSWER_LIMIT)
            .await
            .map_err(unreadable)?
        {
            Bounded::Complete(response) => response.bytes().await.map_err(unreadable)?,
            Bounded::TooLarge(..) => {
                return Err(unavailable(format!(
                    "the token answer ({status}) is larger than {TOKEN_ANSWER_LIMIT} bytes; \
                     it was not read further"
                )));
            }
        };
        if !status.is_success() {
            let parsed: Option<TokenError> = serde_json::from_slice(&body).ok();
            let (error, description) =
                parsed.map_or((None, None), |p| (p.error, p.error_description));
            return Err(AuthError::TokenRefused {
                status,
                error: error.map(|e| self.redact(&e)),
                description: description.map(|d| self.redact(&d)),
            });
        }
        // Neither the body nor serde's message (which can quote it) is repeated: a
        // successful answer may hold an access token.
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
            unavailable(format!(
                "the token answer ({status}) is not the expected JSON (error at line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        if let Some(kind) = &answer.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(unavailable(format!(
                "the token endpoint issued a `{kind}` token; only bearer tokens are supported"
            )));
        }
        let header =
            secret_header_value(&format!("Bearer {}", answer.access_token), "access_token")
                .map_err(|_| unavailable("the access token is not valid in a header".to_owned()))?;
        let renew_at = answer.expires_in.map(|seconds| {
            let lifetime = Duration::from_secs(seconds).min(MAX_TOKEN_LIFETIME);
            // Renew a little ahead of expiry so that no request carries a token that runs
            // out on the way: 30 s early, or halfway for tokens that live under a minute.
            let margin = Duration::from_secs(30).min(lifetime / 2);
            started + lifetime.saturating_sub(margin)
        });
        tracing::debug!(
            token_url = self.token_url.as_str(),
            expires_in = answer.expires_in,
            "obtained a Ctrl Hub access token"
        );
        Ok(CachedToken {
            header,
            renew_at,
            generation,
        })
    }

    /// Removes the client secret, as written and as form-encoded, from text that came
    /// from the token endpoint.
    fn redact(&self, text: &str) -> String {
        let secret = self.client_secret.expose_secret();
        if secret.is_empty() {
            return text.to_owned();
        }
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        text.replace(secret, "[redacted]")
            .replace(&encoded, "[redacted]")
    }
}

impl CachedToken {
    fn authorization(&self) -> Authorization {
        Authorization {
            name: header::AUTHORIZATION,
            value: self.header.clone(),
            generation: self.generation,
        }
    }
}

/// A header value marked sensitive, so that HTTP libraries leave it out of their output.
pub(crate) fn secret_header_value(secret: &str, field: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(secret)
        .map_err(|_| Error::invalid_input(field, "contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Rejects a secret that could not be sent, without repeating it.
pub(crate) fn check_secret(secret: &str, field: &str) -> Result<(), Error> {
    if secret.trim().is_empty() {
        return Err(Error::invalid_input(field, "is empty"));
    }
    if !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_input(
            field,
            "must be printable ASCII without spaces (the value is not shown)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
