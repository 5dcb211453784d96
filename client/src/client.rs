//! The [`Client`] users hold, and its builder.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use uuid::Uuid;

use secrecy::ExposeSecret;

use crate::auth::{Credentials, DEFAULT_TOKEN_URL, STAGING_TOKEN_URL, TokenSource, check_secret};
use crate::error::Error;
use crate::generated;
use crate::interactions::Interactions;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.ctrl-hub.com";

/// The staging API.
pub const STAGING_BASE_URL: &str = "https://api.ctrl-hub.dev";

/// Environment variable read by [`Client::from_env`]: the API base URL (optional).
pub const ENV_BASE_URL: &str = "CTRLHUB_BASE_URL";
/// Environment variable read by [`Client::from_env`]: the organisation id.
pub const ENV_ORG_ID: &str = "CTRLHUB_ORG_ID";
/// Environment variable read by [`Client::from_env`]: a session token.
pub const ENV_SESSION_TOKEN: &str = "CTRLHUB_SESSION_TOKEN";
/// Environment variable read by [`Client::from_env`]: a service account's client id.
pub const ENV_CLIENT_ID: &str = "CTRLHUB_CLIENT_ID";
/// Environment variable read by [`Client::from_env`]: a service account's client secret.
pub const ENV_CLIENT_SECRET: &str = "CTRLHUB_CLIENT_SECRET";
/// Environment variable read by [`Client::from_env`]: the OAuth2 token URL (optional).
pub const ENV_AUTH_URL: &str = "CTRLHUB_AUTH_URL";

/// A client for one Ctrl Hub organisation.
///
/// Cheap to clone; clones share the connection pool and credentials.
///
/// ```no_run
/// # async fn demo() -> Result<(), ctrlhub::Error> {
/// let client = ctrlhub::Client::builder()
///     .organisation_id("3c90c3cc-0d44-4b50-8888-8dd25736052a")
///     .session_token("my-session-token")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    raw: generated::Client,
    organisation_id: Uuid,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use progenitor_client::ClientInfo;
        f.debug_struct("Client")
            .field("base_url", &self.raw.baseurl())
            .field("organisation_id", &self.organisation_id)
            .field("transport", self.raw.inner())
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment:
    ///
    /// - [`CTRLHUB_BASE_URL`](ENV_BASE_URL): optional, defaults to production;
    /// - [`CTRLHUB_ORG_ID`](ENV_ORG_ID): the organisation;
    /// - either [`CTRLHUB_SESSION_TOKEN`](ENV_SESSION_TOKEN), or a service-account key in
    ///   [`CTRLHUB_CLIENT_ID`](ENV_CLIENT_ID) and [`CTRLHUB_CLIENT_SECRET`](ENV_CLIENT_SECRET)
    ///   with an optional token URL in [`CTRLHUB_AUTH_URL`](ENV_AUTH_URL).
    ///
    /// A missing or malformed variable is an [`Error::InvalidInput`] naming it; so is
    /// setting both kinds of credentials.
    pub fn from_env() -> Result<Client, Error> {
        Self::from_lookup(|name| std::env::var(name))
    }

    pub(crate) fn from_lookup(
        lookup: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<Client, Error> {
        let var = |name: &'static str| -> Result<Option<String>, Error> {
            match lookup(name) {
                Ok(value) if value.trim().is_empty() => Ok(None),
                Ok(value) => Ok(Some(value)),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => {
                    Err(Error::invalid_input(name, "is not valid UTF-8"))
                }
            }
        };
        let mut builder = Client::builder();
        if let Some(base_url) = var(ENV_BASE_URL)? {
            builder = builder.base_url(base_url);
            builder.base_url_field = ENV_BASE_URL;
        }
        let org_id =
            var(ENV_ORG_ID)?.ok_or_else(|| Error::invalid_input(ENV_ORG_ID, "is not set"))?;
        let org_id = org_id
            .into_id()
            .map_err(|reason| Error::invalid_input(ENV_ORG_ID, reason))?;
        builder = builder.organisation_id(org_id);
        let session_token = var(ENV_SESSION_TOKEN)?;
        let client_id = var(ENV_CLIENT_ID)?;
        let client_secret = var(ENV_CLIENT_SECRET)?;
        builder = match (session_token, client_id, client_secret) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(Error::invalid_input(
                    ENV_SESSION_TOKEN,
                    format!("set either it or {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}, not both"),
                ));
            }
            (Some(token), None, None) => {
                check_secret(&token, ENV_SESSION_TOKEN)?;
                builder.session_token(token)
            }
            (None, Some(id), Some(secret)) => {
                check_secret(&secret, ENV_CLIENT_SECRET)?;
                builder.credential_field = ENV_CLIENT_ID;
                builder.client_credentials(id, secret)
            }
            (None, Some(_), None) => {
                return Err(Error::invalid_input(ENV_CLIENT_SECRET, "is not set"));
            }
            (None, None, Some(_)) => {
                return Err(Error::invalid_input(ENV_CLIENT_ID, "is not set"));
            }
            (None, None, None) => {
                return Err(Error::invalid_input(
                    ENV_SESSION_TOKEN,
                    format!("is not set (nor are {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET})"),
                ));
            }
        };
        if let Some(url) = var(ENV_AUTH_URL)? {
            builder = builder.token_url(url);
            builder.token_url_field = ENV_AUTH_URL;
        }
        builder.build()
    }

    /// Customer interactions: letters, emails, calls and text messages with customers.
    pub fn interactions(&self) -> Interactions<'_> {
        Interactions::new(self)
    }

    /// The organisation this client works for.
    pub fn organisation_id(&self) -> Uuid {
        self.organisation_id
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.raw.baseurl()
    }

    /// The low-level client generated from the OpenAPI document, for anything the typed
    /// API does not cover. It shares this client's credentials and connection pool; its
    /// errors are progenitor's, not [`Error`].
    pub fn raw(&self) -> &generated::Client {
        &self.raw
    }
}

/// Configures a [`Client`]. Nothing is checked until [`build`](ClientBuilder::build).
pub struct ClientBuilder {
    base_url: Option<String>,
    base_url_field: &'static str,
    organisation_id: Option<Result<Uuid, String>>,
    session_token: Option<SecretString>,
    client_credentials: Option<(String, SecretString)>,
    credential_field: &'static str,
    token_url: Option<String>,
    token_url_field: &'static str,
    allow_http: bool,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            base_url_field: "base_url",
            organisation_id: None,
            session_token: None,
            client_credentials: None,
            credential_field: "client_id",
            token_url: None,
            token_url_field: "token_url",
            allow_http: false,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            retry: RetryPolicy::default(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &shown_url(&self.base_url))
            .field("organisation_id", &self.organisation_id)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "client_credentials",
                &self
                    .client_credentials
                    .as_ref()
                    .map(|(id, _)| (id, "[redacted]")),
            )
            .field("token_url", &shown_url(&self.token_url))
            .field("allow_http", &self.allow_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt of a request, from sending to the end of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl ClientBuilder {
    /// The API base URL, such as [`STAGING_BASE_URL`]. Defaults to [`DEFAULT_BASE_URL`].
    ///
    /// It must be `https://`, except for loopback hosts (`127.0.0.1`, `::1`, `localhost`)
    /// or when [`allow_http`](ClientBuilder::allow_http) says otherwise.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The organisation whose data the client reads and writes. Required.
    pub fn organisation_id(mut self, id: impl IntoId) -> Self {
        self.organisation_id = Some(id.into_id());
        self
    }

    /// Authenticate with a user's session token (`X-Session-Token`).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(SecretString::from(token.into()));
        self
    }

    /// Authenticate with a service-account key (OAuth2 client credentials), the
    /// recommended way for server-to-server integrations. The client exchanges it for
    /// access tokens at the [token URL](ClientBuilder::token_url), caches them, shares
    /// them between clones and renews them ahead of expiry and after a 401.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_credentials =
            Some((client_id.into(), SecretString::from(client_secret.into())));
        self
    }

    /// The OAuth2 token endpoint for [`client_credentials`](ClientBuilder::client_credentials).
    /// Defaults to [`DEFAULT_TOKEN_URL`], or [`STAGING_TOKEN_URL`] when the base URL is
    /// the staging API. The same `https` rule as for the base URL applies.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Allows `http://` base and token URLs on hosts other than loopback. Credentials then
    /// travel unencrypted: only for a trusted network, such as a TLS-terminating sidecar.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Time allowed to establish a connection, or `None` for no limit.
    /// Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Time allowed for one attempt of a request, or `None` for no limit.
    /// Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// When to retry failed requests; [`RetryPolicy::disabled`] never does.
    /// Default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Checks the configuration and makes the client.
    ///
    /// Fails with [`Error::InvalidInput`] naming the setting that is missing or wrong.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = checked_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.base_url_field,
            self.allow_http,
        )?;
        let organisation_id = match self.organisation_id {
            None => {
                return Err(Error::invalid_input("organisation_id", "is required"));
            }
            Some(Err(reason)) => {
                return Err(Error::invalid_input("organisation_id", reason));
            }
            Some(Ok(id)) => id,
        };

        let mut http = reqwest::Client::builder()
            .user_agent(concat!("ctrlhub-rust/", env!("CARGO_PKG_VERSION")))
            // reqwest drops `Authorization` on a cross-origin redirect but keeps custom
            // headers such as `X-Session-Token`. Ctrl Hub documents no redirects, so none
            // is followed at all: a 3xx comes back as an `Error::Decode` naming it.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(timeout) = self.connect_timeout {
            http = http.connect_timeout(timeout);
        }
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }
        let http = http.build().map_err(|e| {
            Error::invalid_input("http_client", format!("could not set up HTTP: {e}"))
        })?;

        let credentials = match (self.session_token, self.client_credentials) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "session_token",
                    "set either a session token or client credentials, not both",
                ));
            }
            (Some(token), None) => {
                check_secret(token.expose_secret(), "session_token")?;
                Credentials::SessionToken(token)
            }
            (None, Some((client_id, client_secret))) => {
                if client_id.trim().is_empty() {
                    return Err(Error::invalid_input(self.credential_field, "is empty"));
                }
                if client_secret.expose_secret().is_empty() {
                    return Err(Error::invalid_input("client_secret", "is empty"));
                }
                let default_token_url = if base_url.host_str()
                    == url::Url::parse(STAGING_BASE_URL)
                        .ok()
                        .as_ref()
                        .and_then(|u| u.host_str())
                {
                    STAGING_TOKEN_URL
                } else {
                    DEFAULT_TOKEN_URL
                };
                let token_url = checked_url(
                    self.token_url.as_deref().unwrap_or(default_token_url),
                    self.token_url_field,
                    self.allow_http,
                )?;
                Credentials::ServiceAccount(Box::new(TokenSource::new(
                    token_url,
                    client_id,
                    client_secret,
                    http.clone(),
                    self.timeout,
                )))
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    "session_token",
                    "no credentials given: set a session token or client credentials",
                ));
            }
        };

        let transport = Transport::new(credentials, self.retry);
        let base_url = base_url.as_str().trim_end_matches('/').to_owned();
        Ok(Client {
            raw: generated::Client::new_with_client(&base_url, http, transport),
            organisation_id,
        })
    }
}

/// Checks a base or token URL: http(s), a host, no user info, no query or fragment, and
/// `https` unless the host is loopback or plain HTTP is explicitly allowed.
fn checked_url(text: &str, field: &str, allow_http: bool) -> Result<url::Url, Error> {
    // Only the scheme and host are ever quoted: user info or a query could hold a secret.
    let url = url::Url::parse(text.trim())
        .map_err(|e| Error::invalid_input(field, format!("is not a URL: {e}")))?;
    let shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            field,
            "must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            field,
            "must not have a query or fragment",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid_input(
                field,
                format!(
                    "`{shown}` is plain http to a host that is not loopback; use https \
                     (or allow_http(true) for a trusted network)"
                ),
            ));
        }
        _ => {
            return Err(Error::invalid_input(
                field,
                format!("`{shown}` must be an https:// URL"),
            ));
        }
    }
    if url.host().is_none() {
        return Err(Error::invalid_input(
            field,
            format!("`{shown}` has no host"),
        ));
    }
    Ok(url)
}

/// A URL as it may be shown: scheme, host, port and path, never user info or query.
fn shown_url(text: &Option<String>) -> Option<String> {
    let text = text.as_deref()?;
    Some(match url::Url::parse(text.trim()) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => "[not a URL]".to_owned(),
    })
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Something that names a Ctrl Hub resource: a [`Uuid`], or text holding one.
///
/// Text is checked when the request or client is built; a malformed id becomes an
/// [`Error::InvalidInput`] naming the field, and nothing is sent.
pub trait IntoId: sealed::Sealed {
    #[doc(hidden)]
    fn into_id(self) -> Result<Uuid, String>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for uuid::Uuid {}
    impl Sealed for &uuid::Uuid {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
}

fn checked(id: Uuid) -> Result<Uuid, String> {
    if id.is_nil() {
        Err("the nil UUID names no resource".to_owned())
    } else {
        Ok(id)
    }
}

impl IntoId for Uuid {
    fn into_id(self) -> Result<Uuid, String> {
        checked(self)
    }
}

impl IntoId for &Uuid {
    fn into_id(self) -> Result<Uuid, String> {
        checked(*self)
    }
}

impl IntoId for &str {
    fn into_id(self) -> Result<Uuid, String> {
        let id =
            Uuid::try_parse(self.trim()).map_err(|e| format!("`{self}` is not a UUID ({e})"))?;
        checked(id)
    }
}

impl IntoId for String {
    fn into_id(self) -> Result<Uuid, String> {
        self.as_str().into_id()
    }
}

impl IntoId for &String {
    fn into_id(self) -> Result<Uuid, String> {
        self.as_str().into_id()
    }
}

#[cfg(test)]
mod tests;
