//! [`Client::from_env`](crate::Client::from_env): the environment variables it reads.

use std::fmt;

use crate::auth::check_secret;
use crate::builder::ClientBuilder;
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

impl EnvVar {
    /// The variable of a setting that an [`InputError`](crate::InputError) names, whether
    /// by the variable's name (an error of [`Client::from_env`] or
    /// [`ClientBuilder::from_vars`]) or by the builder's name for it (`organisation_id` for
    /// [`EnvVar::OrgId`], `token_url` for [`EnvVar::AuthUrl`]); `None` for any other field.
    ///
    /// For a program that offers these settings under its own names (command-line flags,
    /// say) and wants its errors to use them.
    ///
    /// ```
    /// use ctrlhub::EnvVar;
    /// assert_eq!(EnvVar::for_setting("organisation_id"), Some(EnvVar::OrgId));
    /// assert_eq!(EnvVar::for_setting("CTRLHUB_AUTH_URL"), Some(EnvVar::AuthUrl));
    /// assert_eq!(EnvVar::for_setting("notes"), None);
    /// ```
    #[must_use]
    pub fn for_setting(field: &str) -> Option<EnvVar> {
        let by_builder = match field {
            "base_url" => Some(EnvVar::BaseUrl),
            "organisation_id" => Some(EnvVar::OrgId),
            "session_token" => Some(EnvVar::SessionToken),
            "client_id" => Some(EnvVar::ClientId),
            "client_secret" => Some(EnvVar::ClientSecret),
            "token_url" => Some(EnvVar::AuthUrl),
            _ => None,
        };
        by_builder.or_else(|| EnvVar::ALL.into_iter().find(|var| var.name() == field))
    }
}

impl ClientBuilder {
    /// A builder with the settings [`Client::from_env`] reads, each taken from `lookup`
    /// instead of the process environment, under the same rules: the organisation is
    /// required, and either a session token or a client id and secret (not both); a
    /// blank value counts as unset. A missing or malformed setting is an
    /// [`Error::InvalidInput`] naming its variable (see [`EnvVar::for_setting`]).
    ///
    /// For a program with its own way of giving these settings, such as command-line
    /// flags that override the variables: it keeps the library's rules, and can set
    /// anything else (a timeout, a wait observer) before [`build`](ClientBuilder::build).
    ///
    /// ```
    /// use ctrlhub::{ClientBuilder, EnvVar};
    /// let flag_org = Some("3c90c3cc-0d44-4b50-8888-8dd25736052a".to_owned());
    /// let client = ClientBuilder::from_vars(|var| match var {
    ///     EnvVar::OrgId => flag_org.clone(),
    ///     EnvVar::SessionToken => Some("my-session-token".to_owned()),
    ///     _ => None,
    /// })?
    /// .timeout(std::time::Duration::from_secs(5))
    /// .build()?;
    /// # let _ = client;
    /// # Ok::<(), ctrlhub::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed, or
    /// saying that both kinds of credentials are set; the settings' other checks come
    /// with [`build`](ClientBuilder::build).
    pub fn from_vars(lookup: impl Fn(EnvVar) -> Option<String>) -> Result<ClientBuilder, Error> {
        builder_from(|var| lookup(var).ok_or(std::env::VarError::NotPresent))
    }
}

/// The client of the variables `lookup` gives by name ([`Client::from_env`]'s, with
/// `std::env::var`).
pub(crate) fn from_lookup(
    lookup: impl Fn(&str) -> Result<String, std::env::VarError>,
) -> Result<Client, Error> {
    builder_from(|var| lookup(var.name()))?.build()
}

/// The rules of [`Client::from_env`]: which variables are required and how the
/// credentials combine.
fn builder_from(
    lookup: impl Fn(EnvVar) -> Result<String, std::env::VarError>,
) -> Result<ClientBuilder, Error> {
    use EnvVar::{AuthUrl, BaseUrl, ClientId, ClientSecret, OrgId, SessionToken};
    let var = |var: EnvVar| -> Result<Option<String>, Error> {
        match lookup(var) {
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
    Ok(builder)
}
