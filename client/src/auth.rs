//! Credentials and the request header that carries them.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// The header a session token travels in.
pub const SESSION_TOKEN_HEADER: &str = "x-session-token";

/// How the client proves who it is. Never printed: `Debug` shows only the kind.
pub(crate) enum Credentials {
    /// A user's login session (`X-Session-Token`).
    SessionToken(SecretString),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::SessionToken(_) => f.write_str("SessionToken([redacted])"),
        }
    }
}

impl Credentials {
    /// The header that authenticates a request.
    pub(crate) async fn header(&self) -> Result<(HeaderName, HeaderValue), Error> {
        match self {
            Credentials::SessionToken(token) => Ok((
                HeaderName::from_static(SESSION_TOKEN_HEADER),
                secret_header_value(token.expose_secret(), "session_token")?,
            )),
        }
    }
}

/// A header value marked sensitive, so that HTTP libraries leave it out of their output.
pub(crate) fn secret_header_value(secret: &str, field: &str) -> Result<HeaderValue, Error> {
    check_secret(secret, field)?;
    let mut value = HeaderValue::from_str(secret)
        .map_err(|_| Error::invalid_input(field, "contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Rejects a secret that could not be sent in a header, without repeating it.
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
