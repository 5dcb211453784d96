//! [`Client::from_env`](crate::Client::from_env): the environment variables it reads.

use std::fmt;

use crate::auth::check_secret;
use crate::client::Client;
use crate::error::Error;
use crate::id::IntoId;

/// The environment variables [`Client::from_env`] reads.
///
/// ```
/// assert_eq!(ctrlhub::EnvVar::OrgId.name(), "CTRLHUB_ORG_ID");
/// let configured = ctrlhub::EnvVar::ALL
///     .iter()
///     .any(|var| std::env::var_os(var.name()).is_some());
/// # let _ = configured;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvVar {
    /// `CTRLHUB_BASE_URL`: the API base URL (optional; production by default).
    BaseUrl,
    /// `CTRLHUB_ORG_ID`: the organisation id.
    OrgId,
    /// `CTRLHUB_SESSION_TOKEN`: a user's session token.
    SessionToken,
    /// `CTRLHUB_CLIENT_ID`: a service account's client id.
    ClientId,
    /// `CTRLHUB_CLIENT_SECRET`: a service account's client secret.
    ClientSecret,
    /// `CTRLHUB_AUTH_URL`: the OAuth2 token URL (optional).
    AuthUrl,
}

impl EnvVar {
    /// Every variable, in the order above.
    pub const ALL: [EnvVar; 6] = [
        EnvVar::BaseUrl,
        EnvVar::OrgId,
        EnvVar::SessionToken,
        EnvVar::ClientId,
        EnvVar::ClientSecret,
        EnvVar::AuthUrl,
    ];

    /// The variable's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            EnvVar::BaseUrl => "CTRLHUB_BASE_URL",
            EnvVar::OrgId => "CTRLHUB_ORG_ID",
            EnvVar::SessionToken => "CTRLHUB_SESSION_TOKEN",
            EnvVar::ClientId => "CTRLHUB_CLIENT_ID",
            EnvVar::ClientSecret => "CTRLHUB_CLIENT_SECRET",
            EnvVar::AuthUrl => "CTRLHUB_AUTH_URL",
        }
    }
}

impl fmt::Display for EnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn from_lookup(
    lookup: impl Fn(&str) -> Result<String, std::env::VarError>,
) -> Result<Client, Error> {
    use EnvVar::{AuthUrl, BaseUrl, ClientId, ClientSecret, OrgId, SessionToken};
    let var = |var: EnvVar| -> Result<Option<String>, Error> {
        match lookup(var.name()) {
            Ok(value) if value.trim().is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(Error::invalid_input(var.name(), "is not valid UTF-8"))
            }
        }
    };
    let mut builder = Client::builder();
    if let Some(base_url) = var(BaseUrl)? {
        builder = builder.base_url(base_url);
        builder.base_url_field = BaseUrl.name();
    }
    let org_id = var(OrgId)?.ok_or_else(|| Error::invalid_input(OrgId.name(), "is not set"))?;
    let org_id = org_id
        .into_id()
        .map_err(|reason| Error::invalid_input(OrgId.name(), reason))?;
    builder = builder.organisation_id(org_id);
    let session_token = var(SessionToken)?;
    let client_id = var(ClientId)?;
    let client_secret = var(ClientSecret)?;
    builder = match (session_token, client_id, client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(Error::invalid_input(
                SessionToken.name(),
                format!("set either it or {ClientId} and {ClientSecret}, not both"),
            ));
        }
        (Some(token), None, None) => {
            check_secret(&token, SessionToken.name())?;
            builder.session_token(token)
        }
        (None, Some(id), Some(secret)) => {
            check_secret(&secret, ClientSecret.name())?;
            builder.credential_field = ClientId.name();
            builder.client_credentials(id, secret)
        }
        (None, Some(_), None) => {
            return Err(Error::invalid_input(ClientSecret.name(), "is not set"));
        }
        (None, None, Some(_)) => {
            return Err(Error::invalid_input(ClientId.name(), "is not set"));
        }
        (None, None, None) => {
            return Err(Error::invalid_input(
                SessionToken.name(),
                format!("is not set (nor are {ClientId} and {ClientSecret})"),
            ));
        }
    };
    if let Some(url) = var(AuthUrl)? {
        builder = builder.token_url(url);
        builder.token_url_field = AuthUrl.name();
    }
    builder.build()
}
