//! The OAuth2 token endpoint (client credentials), the access tokens it has issued, and
//! the knobs a test turns on it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use crate::FakeCtrlHub;
use crate::intake::record;
use crate::state::{Inner, lock};

/// Where the fake serves OAuth2 client credentials.
pub const TOKEN_PATH: &str = "/oauth2/token";

/// The access tokens the endpoint has issued, and how it answers.
#[derive(Default)]
pub(crate) struct Tokens {
    /// Access tokens issued and still accepted.
    pub(crate) valid: Vec<String>,
    pub(crate) issued: usize,
    /// `expires_in` of new tokens; `None` leaves it out of the answer.
    pub(crate) expires_in: Option<u64>,
    /// When set, every access token is refused, even a new one.
    pub(crate) refuse_all: bool,
    /// When set, the token endpoint answers 200 with this body instead of a token.
    pub(crate) broken_answer: Option<String>,
}

impl FakeCtrlHub {
    /// The OAuth2 token URL of the fake.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url())
    }

    /// The service account's client id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The service account's client secret.
    pub fn client_secret(&self) -> &str {
        &self.inner.client_secret
    }

    /// The `expires_in` of tokens issued from now on (`None`: left out).
    pub fn set_token_lifetime(&self, seconds: Option<u64>) {
        lock(&self.inner.tokens).expires_in = seconds;
    }

    /// Stops accepting every access token issued so far (as if they expired).
    pub fn revoke_tokens(&self) {
        lock(&self.inner.tokens).valid.clear();
    }

    /// Refuses every access token, even newly issued ones, until called with `false`.
    pub fn refuse_all_tokens(&self, refuse: bool) {
        lock(&self.inner.tokens).refuse_all = refuse;
    }

    /// Makes the token endpoint answer 200 with `body` instead of a token (`None`: mend it).
    pub fn break_token_answer(&self, body: Option<&str>) {
        lock(&self.inner.tokens).broken_answer = body.map(str::to_owned);
    }
}

pub(crate) async fn issue_token(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&inner, &method, &uri, &headers, &body);
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"error": error, "error_description": description}).to_string(),
        )
            .into_response()
    };
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    if field("client_id") != Some(inner.client_id.as_str())
        || field("client_secret") != Some(inner.client_secret.as_str())
    {
        // RFC 6749 section 5.2: 400, as the client did not authenticate with a header.
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let mut tokens = lock(&inner.tokens);
    if let Some(body) = &tokens.broken_answer {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body.clone(),
        )
            .into_response();
    }
    tokens.issued += 1;
    let token = format!("fake-access-{}-{}", tokens.issued, Uuid::new_v4().simple());
    tokens.valid.push(token.clone());
    let mut answer = json!({"access_token": token, "token_type": "Bearer"});
    if let Some(seconds) = tokens.expires_in {
        answer["expires_in"] = seconds.into();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
        .into_response()
}
