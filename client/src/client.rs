//! The [`Client`] users hold, and its builder.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use uuid::Uuid;

use crate::auth::{Credentials, check_secret};
use crate::error::Error;
use crate::generated;
use crate::interactions::Interactions;
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
    /// [`CTRLHUB_BASE_URL`](ENV_BASE_URL) (optional, defaults to production),
    /// [`CTRLHUB_ORG_ID`](ENV_ORG_ID) and [`CTRLHUB_SESSION_TOKEN`](ENV_SESSION_TOKEN).
    ///
    /// A missing or malformed variable is an [`Error::InvalidInput`] naming it.
    pub fn from_env() -> Result<Client, Error> {
        let mut builder = Client::builder();
        if let Some(base_url) = env_var(ENV_BASE_URL)? {
            builder = builder.base_url(base_url).named_base_url(ENV_BASE_URL);
        }
        let org_id =
            env_var(ENV_ORG_ID)?.ok_or_else(|| Error::invalid_input(ENV_ORG_ID, "is not set"))?;
        let org_id = org_id
            .into_id()
            .map_err(|reason| Error::invalid_input(ENV_ORG_ID, reason))?;
        let token = env_var(ENV_SESSION_TOKEN)?
            .ok_or_else(|| Error::invalid_input(ENV_SESSION_TOKEN, "is not set"))?;
        check_secret(&token, ENV_SESSION_TOKEN)?;
        builder.organisation_id(org_id).session_token(token).build()
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
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    base_url_field: Option<&'static str>,
    organisation_id: Option<Result<Uuid, String>>,
    session_token: Option<SecretString>,
    connect_timeout: Option<Duration>,
    timeout: Option<Option<Duration>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("organisation_id", &self.organisation_id)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt of a request, from sending to the end of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl ClientBuilder {
    /// The API base URL, such as [`STAGING_BASE_URL`]. Defaults to [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    fn named_base_url(mut self, field: &'static str) -> Self {
        self.base_url_field = Some(field);
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

    /// Time allowed to establish a connection. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for one attempt of a request, or `None` for no limit.
    /// Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Checks the configuration and makes the client.
    ///
    /// Fails with [`Error::InvalidInput`] naming the setting that is missing or wrong.
    pub fn build(self) -> Result<Client, Error> {
        let base_url_field = self.base_url_field.unwrap_or("base_url");
        let base_url = normalise_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            base_url_field,
        )?;
        let organisation_id = match self.organisation_id {
            None => return Err(Error::invalid_input("organisation_id", "is required")),
            Some(Err(reason)) => return Err(Error::invalid_input("organisation_id", reason)),
            Some(Ok(id)) => id,
        };
        let credentials = match self.session_token {
            Some(token) => {
                use secrecy::ExposeSecret;
                check_secret(token.expose_secret(), "session_token")?;
                Credentials::SessionToken(token)
            }
            None => {
                return Err(Error::invalid_input(
                    "session_token",
                    "no credentials given: set a session token",
                ));
            }
        };

        let mut http = reqwest::Client::builder()
            .user_agent(concat!("ctrlhub-rust/", env!("CARGO_PKG_VERSION")))
            // Credentials must never follow a redirect to another origin; Ctrl Hub documents
            // no redirects, so none are followed at all (see `Error::Decode`).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
        if let Some(timeout) = self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)) {
            http = http.timeout(timeout);
        }
        let http = http.build().map_err(|e| {
            Error::invalid_input("http_client", format!("could not set up HTTP: {e}"))
        })?;

        let transport = Transport::new(credentials);
        Ok(Client {
            raw: generated::Client::new_with_client(&base_url, http, transport),
            organisation_id,
        })
    }
}

fn normalise_base_url(text: &str, field: &str) -> Result<String, Error> {
    let url = url::Url::parse(text.trim())
        .map_err(|e| Error::invalid_input(field, format!("`{text}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::invalid_input(
            field,
            format!("`{text}` must be an https:// URL"),
        ));
    }
    if url.host().is_none() {
        return Err(Error::invalid_input(field, format!("`{text}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            field,
            "must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            field,
            format!("`{text}` must not have a query or fragment"),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
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

fn env_var(name: &str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::invalid_input(name, "is not valid UTF-8"))
        }
    }
}
