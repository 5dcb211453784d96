//! [`ClientBuilder`]: the settings of a [`Client`], checked when it is built.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::auth::{Credentials, TokenSource, check_secret};
use crate::client::Client;
use crate::error::Error;
use crate::generated;
use crate::id::{GivenId, IntoId};
use crate::network::{ProxyChoice, RootCertificate};
use crate::retry::RetryPolicy;
use crate::transport::Transport;
use crate::waits::{Wait, WaitObserver};

/// Where a Ctrl Hub deployment answers: its API and its OAuth2 token endpoint.
///
/// ```no_run
/// # fn demo() -> Result<(), ctrlhub::Error> {
/// let staging = ctrlhub::Client::builder()
///     .endpoints(ctrlhub::Endpoints::STAGING)
///     .organisation_id("3c90c3cc-0d44-4b50-8888-8dd25736052a")
///     .client_credentials("my-client-id", "my-client-secret")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// The API base URL.
    pub api: &'static str,
    /// The OAuth2 token endpoint for service-account keys.
    pub token: &'static str,
}

impl Endpoints {
    /// Production: `https://api.ctrl-hub.com`, the default.
    pub const PRODUCTION: Endpoints = Endpoints {
        api: "https://api.ctrl-hub.com",
        token: "https://auth.ctrl-hub.com/oauth2/token",
    };

    /// Staging: `https://api.ctrl-hub.dev`.
    pub const STAGING: Endpoints = Endpoints {
        api: "https://api.ctrl-hub.dev",
        token: "https://auth.ctrl-hub.dev/oauth2/token",
    };
}

/// Configures a [`Client`]. Nothing is checked until [`build`](ClientBuilder::build).
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    base_url: Option<String>,
    pub(crate) base_url_field: &'static str,
    organisation_id: Option<GivenId>,
    session_token: Option<SecretString>,
    client_credentials: Option<(String, SecretString)>,
    pub(crate) credential_field: &'static str,
    token_url: Option<String>,
    pub(crate) token_url_field: &'static str,
    allow_http: bool,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    max_answer_size: u64,
    proxy: ProxyChoice,
    root_certificates: Vec<RootCertificate>,
    user_agent_suffix: Option<String>,
    on_wait: Option<WaitObserver>,
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
            connect_timeout: Some(ClientBuilder::DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(ClientBuilder::DEFAULT_TIMEOUT),
            retry: RetryPolicy::default(),
            max_answer_size: ClientBuilder::DEFAULT_MAX_ANSWER_SIZE,
            proxy: ProxyChoice::FromEnv,
            root_certificates: Vec::new(),
            user_agent_suffix: None,
            on_wait: None,
        }
    }
}

#[allow(
    clippy::missing_fields_in_debug,
    reason = "credentials are shown redacted, and nothing else is left out"
)]
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &shown_url(self.base_url.as_deref()))
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
            .field("token_url", &shown_url(self.token_url.as_deref()))
            .field("allow_http", &self.allow_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_answer_size", &self.max_answer_size)
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("on_wait", &self.on_wait.as_ref().map(|_| "set"))
            .finish()
    }
}

impl ClientBuilder {
    /// Default time allowed to establish a connection.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

    /// Default time allowed for one attempt of a request, from sending to the end of the
    /// answer.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// Default largest answer body the client reads: 32 MiB, far above any documented
    /// answer (a page of 100 interactions is about 50 KiB).
    pub const DEFAULT_MAX_ANSWER_SIZE: u64 = 32 * 1024 * 1024;

    /// Both URLs of a deployment, such as [`Endpoints::STAGING`]. Defaults to
    /// [`Endpoints::PRODUCTION`]. [`base_url`](ClientBuilder::base_url) and
    /// [`token_url`](ClientBuilder::token_url) override one of them.
    pub fn endpoints(mut self, endpoints: Endpoints) -> Self {
        self.base_url = Some(endpoints.api.to_owned());
        self.token_url = Some(endpoints.token.to_owned());
        self
    }

    /// The API base URL. Defaults to [`Endpoints::PRODUCTION`]'s.
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
    /// Defaults to the token endpoint of [`Endpoints::PRODUCTION`], or of
    /// [`Endpoints::STAGING`] when the base URL is the staging API. The same `https` rule as for the base URL applies.
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
    /// Default [`ClientBuilder::DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Time allowed for one attempt of a request, or `None` for no limit.
    /// Default [`ClientBuilder::DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The largest answer body the client reads, in bytes (at least 1). An answer that
    /// declares or turns out to be larger is not read further: the call fails with an
    /// [`Error::Decode`] whose `answer_limit` names the limit (for a create, the outcome
    /// is unknown), and no more than about this much is held in memory for it.
    /// Default [`ClientBuilder::DEFAULT_MAX_ANSWER_SIZE`].
    pub fn max_answer_size(mut self, bytes: u64) -> Self {
        self.max_answer_size = bytes.max(1);
        self
    }

    /// When to retry failed requests; [`RetryPolicy::disabled`] never does.
    /// Default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The proxy for `https` connections, such as `http://proxy.internal:3128` (with
    /// `user:password@` for the proxy's own basic authentication, never shown). The
    /// connection to Ctrl Hub is a `CONNECT` tunnel through it, with TLS inside.
    ///
    /// Setting one replaces the environment's `HTTPS_PROXY`/`ALL_PROXY`, which apply
    /// otherwise. A plain-`http` base or token URL is reached directly, never through a
    /// proxy. See [the network rules](crate#corporate-networks).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyChoice::Url(url.into());
        self
    }

    /// Uses no proxy: neither one set with [`proxy`](ClientBuilder::proxy) nor the
    /// environment's `HTTPS_PROXY`/`ALL_PROXY`.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::None;
        self
    }

    /// Trusts the certificates of a PEM file (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks) as roots, as well as the operating system's trust store: for a corporate
    /// TLS-inspecting proxy or a private deployment. May be called more than once.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = ctrlhub::Client::builder()
    ///     .organisation_id("3c90c3cc-0d44-4b50-8888-8dd25736052a")
    ///     .session_token("my-session-token")
    ///     .add_root_certificate_pem(std::fs::read("/etc/corp/root-ca.pem")?)
    ///     .user_agent_suffix("billing-sync/2.1")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates
            .push(RootCertificate::Pem(pem.into()));
        self
    }

    /// Trusts one DER-encoded certificate as a root, as well as the operating system's
    /// trust store. May be called more than once.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.root_certificates
            .push(RootCertificate::Der(der.into()));
        self
    }

    /// Text added after this crate's own `User-Agent` (`ctrlhub-rust/VERSION`), such as
    /// `billing-sync/2.1 (ops@example.com)`, so that Ctrl Hub and the network's operators
    /// can tell your traffic apart. Printable ASCII.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Tells `observer` whenever a request waits: before it is sent again (with the delay,
    /// the attempt and why) and, every [`Wait::NO_ANSWER_NOTICE`], while an attempt has had
    /// no answer yet. For a progress display that should say why it is not moving; it is
    /// called on the request's task, so it should return quickly. Shared by clones.
    ///
    /// ```
    /// let client = ctrlhub::Client::builder()
    ///     .organisation_id("3c90c3cc-0d44-4b50-8888-8dd25736052a")
    ///     .session_token("my-session-token")
    ///     .on_wait(|wait| eprintln!("{wait}"))
    ///     .build();
    /// # let _ = client;
    /// ```
    pub fn on_wait(mut self, observer: impl Fn(&Wait) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(WaitObserver(Arc::new(observer)));
        self
    }

    /// Checks the configuration and makes the client.
    ///
    /// Fails with [`Error::InvalidInput`] naming the setting that is missing or wrong.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the setting that is missing or wrong; nothing is
    /// sent.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = checked_url(
            self.base_url
                .as_deref()
                .unwrap_or(Endpoints::PRODUCTION.api),
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

        let http = self.http_client()?;

        let credentials = match (self.session_token, self.client_credentials) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "session_token",
                    "set either a session token or client credentials, not both",
                ));
            }
            (Some(token), None) => {
                check_secret(token.expose_secret(), "session_token")?;
                Credentials::session_token(&token)?
            }
            (None, Some((client_id, client_secret))) => {
                if client_id.trim().is_empty() {
                    return Err(Error::invalid_input(self.credential_field, "is empty"));
                }
                if client_secret.expose_secret().is_empty() {
                    return Err(Error::invalid_input("client_secret", "is empty"));
                }
                let default_token_url = if base_url.host_str()
                    == url::Url::parse(Endpoints::STAGING.api)
                        .ok()
                        .as_ref()
                        .and_then(|u| u.host_str())
                {
                    Endpoints::STAGING.token
                } else {
                    Endpoints::PRODUCTION.token
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

        let transport = Transport::new(
            credentials,
            self.retry,
            self.max_answer_size,
            self.on_wait,
            self.timeout,
        );
        let base_url = base_url.as_str().trim_end_matches('/').to_owned();
        Ok(Client {
            raw: Arc::new(generated::Client::new_with_client(
                &base_url, http, transport,
            )),
            organisation_id,
        })
    }

    /// The HTTP client of the network settings: user agent, proxy, roots, timeouts, and
    /// no redirects.
    fn http_client(&self) -> Result<reqwest::Client, Error> {
        let user_agent = crate::network::user_agent(self.user_agent_suffix.as_deref())?;
        let roots = crate::network::root_certificates(&self.root_certificates)?;
        let proxy = crate::network::https_proxy(&self.proxy, |name| std::env::var(name).ok())?;

        crate::tls::ensure_provider()?;
        let mut http = reqwest::Client::builder()
            .user_agent(user_agent)
            // reqwest drops `Authorization` on a cross-origin redirect but keeps custom
            // headers such as `X-Session-Token`. Ctrl Hub documents no redirects, so none
            // is followed at all: a 3xx comes back as an `Error::Decode` naming it.
            .redirect(reqwest::redirect::Policy::none())
            // reqwest's own reading of the environment would send plain-http requests
            // (loopback, `allow_http`) through `HTTP_PROXY`, token and all: the proxy is
            // chosen here instead, for `https` destinations only.
            .no_proxy();
        if let Some(proxy) = proxy {
            http = http.proxy(proxy.into_reqwest()?);
        }
        for root in roots {
            http = http.add_root_certificate(root);
        }
        if let Some(timeout) = self.connect_timeout {
            http = http.connect_timeout(timeout);
        }
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }
        let has_roots = !self.root_certificates.is_empty();
        http.build().map_err(|e| {
            // With added roots, those are the likeliest cause (the platform verifier
            // refuses a certificate it cannot use as a root).
            let field = if has_roots {
                "root_certificates"
            } else {
                "http_client"
            };
            Error::invalid_input(field, format!("could not set up HTTP: {e}"))
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
pub(crate) fn shown_url(text: Option<&str>) -> Option<String> {
    let text = text?;
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

#[cfg(test)]
mod tests;
