//! The network settings of a [`ClientBuilder`](crate::ClientBuilder) for a corporate
//! network: a proxy, extra root certificates and a user-agent suffix.
//!
//! # Which proxy is used
//!
//! Only `https` connections ever go through a proxy, and always as a `CONNECT` tunnel: the
//! proxy sees the host and port, never a request, a header or a token. A plain-`http` base
//! or token URL (loopback, or [`allow_http`](crate::ClientBuilder::allow_http)) is always
//! reached directly, whatever is set, so credentials never cross a proxy unencrypted.
//!
//! 1. [`proxy`](crate::ClientBuilder::proxy) sets the proxy in code.
//! 2. Otherwise the environment's `HTTPS_PROXY` (or `https_proxy`), then `ALL_PROXY` (or
//!    `all_proxy`) apply, with the hosts in `NO_PROXY` (or `no_proxy`) reached directly.
//!    `HTTP_PROXY` is never read: it is for plain-http traffic, which never goes through a
//!    proxy here.
//! 3. [`no_proxy`](crate::ClientBuilder::no_proxy) ignores the environment.
//!
//! A proxy URL is `http://` (the tunnel's `CONNECT` goes in the clear, the traffic inside is
//! TLS) or `https://`, and may carry `user:password` for the proxy's own basic
//! authentication; they are never shown in `Debug` output or errors. The operating
//! system's proxy settings (Windows registry, macOS System Configuration) are not read.
//!
//! # Which certificates are trusted
//!
//! The operating system's trust store, through `rustls-platform-verifier`: on Linux the
//! system CA bundle (`SSL_CERT_FILE` and `SSL_CERT_DIR` apply), on macOS and Windows the
//! system's own verifier. Roots added with
//! [`add_root_certificate_pem`](crate::ClientBuilder::add_root_certificate_pem) (a
//! corporate TLS-inspecting proxy's, say) are trusted as well as those, not instead.
//!
//! # Redirects
//!
//! None is followed, whatever is set: a `3xx` answer is an [`Error::Decode`] naming it.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::error::Error;

/// Where the proxy comes from.
#[derive(Clone, Default)]
pub(crate) enum ProxyChoice {
    /// The environment's `HTTPS_PROXY`/`ALL_PROXY`, if set.
    #[default]
    FromEnv,
    /// The proxy set in code.
    Url(String),
    /// No proxy at all.
    None,
}

impl fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyChoice::FromEnv => f.write_str("FromEnv"),
            ProxyChoice::Url(url) => f
                .debug_tuple("Url")
                .field(&crate::builder::shown_url(Some(url)))
                .finish(),
            ProxyChoice::None => f.write_str("None"),
        }
    }
}

/// The environment variables a proxy is read from, in order of precedence.
pub(crate) const PROXY_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

/// The environment variables naming the hosts reached without a proxy.
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// The proxy a client uses for `https` destinations, and where it was set.
#[derive(Debug)]
pub(crate) struct ChosenProxy {
    /// The proxy's URL.
    pub(crate) url: url::Url,
    /// Where it was set: `proxy`, or the environment variable's name.
    pub(crate) source: &'static str,
    /// The `NO_PROXY` list, for a proxy from the environment.
    pub(crate) exclusions: Option<String>,
}

impl ChosenProxy {
    /// The proxy as reqwest takes it: for `https` destinations only, so that a plain-http
    /// request is never handed to a proxy, where its token would travel in the clear.
    pub(crate) fn into_reqwest(self) -> Result<reqwest::Proxy, Error> {
        let proxy = reqwest::Proxy::https(self.url.as_str()).map_err(|e| {
            Error::invalid_input(self.source, format!("is not a usable proxy: {e}"))
        })?;
        Ok(proxy.no_proxy(
            self.exclusions
                .as_deref()
                .and_then(reqwest::NoProxy::from_string),
        ))
    }
}

/// The proxy for `https` destinations that `choice` gives, reading the environment through
/// `lookup`. `None` when there is none.
pub(crate) fn https_proxy(
    choice: &ProxyChoice,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<ChosenProxy>, Error> {
    let (text, source, exclusions) = match choice {
        ProxyChoice::None => return Ok(None),
        ProxyChoice::Url(url) => (url.clone(), "proxy", None),
        ProxyChoice::FromEnv => {
            let found = PROXY_VARS.iter().find_map(|name| {
                lookup(name)
                    .filter(|value| !value.trim().is_empty())
                    .map(|value| (value, *name))
            });
            let Some((url, name)) = found else {
                return Ok(None);
            };
            let exclusions = NO_PROXY_VARS.iter().find_map(|name| lookup(name));
            (url, name, exclusions)
        }
    };
    let url = checked_proxy_url(&text, source)?;
    Ok(Some(ChosenProxy {
        url,
        source,
        exclusions,
    }))
}

/// A proxy URL: `http` or `https`, with a host, and no path, query or fragment. A bare
/// `host:port`, as many environments write it, is read as `http://host:port`.
fn checked_proxy_url(text: &str, field: &str) -> Result<url::Url, Error> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    // Only the scheme, host and port are ever quoted: user info could hold a password.
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| Error::invalid_input(field, format!("is not a proxy URL: {e}")))?;
    let shown = format!(
        "{}://{}",
        url.scheme(),
        url.host_str()
            .map_or(String::new(), |host| match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
    );
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_input(
            field,
            format!("`{shown}` must be an http:// or https:// proxy (SOCKS is not supported)"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input(
            field,
            format!("`{shown}` has no host"),
        ));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            field,
            format!("`{shown}` must not have a path, query or fragment"),
        ));
    }
    Ok(url)
}

/// A root certificate to trust as well as the operating system's.
#[derive(Clone)]
pub(crate) enum RootCertificate {
    /// One or more PEM `CERTIFICATE` blocks.
    Pem(Vec<u8>),
    /// One DER-encoded certificate.
    Der(Vec<u8>),
}

impl fmt::Debug for RootCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootCertificate::Pem(bytes) => write!(f, "Pem({} bytes)", bytes.len()),
            RootCertificate::Der(bytes) => write!(f, "Der({} bytes)", bytes.len()),
        }
    }
}

/// Parses the added roots. An error names `root_certificates[N]`, the N-th added (from 0).
pub(crate) fn root_certificates(
    roots: &[RootCertificate],
) -> Result<Vec<reqwest::Certificate>, Error> {
    let mut parsed = Vec::new();
    for (index, root) in roots.iter().enumerate() {
        let field = format!("root_certificates[{index}]");
        match root {
            RootCertificate::Pem(pem) => {
                let found = reqwest::Certificate::from_pem_bundle(pem)
                    .map_err(|e| Error::invalid_input(&field, format!("is not PEM: {e}")))?;
                if found.is_empty() {
                    return Err(Error::invalid_input(
                        &field,
                        "holds no PEM `CERTIFICATE` block",
                    ));
                }
                parsed.extend(found);
            }
            RootCertificate::Der(der) => {
                // reqwest accepts any bytes here and fails only at `build`; a DER
                // certificate is an ASN.1 SEQUENCE, so anything else is refused now.
                if der.first() != Some(&0x30) {
                    return Err(Error::invalid_input(
                        &field,
                        "is not a DER certificate (it does not start with an ASN.1 SEQUENCE)",
                    ));
                }
                parsed.push(
                    reqwest::Certificate::from_der(der)
                        .map_err(|e| Error::invalid_input(&field, format!("is not DER: {e}")))?,
                );
            }
        }
    }
    Ok(parsed)
}

/// This crate's user agent, with the user's suffix after it.
pub(crate) const USER_AGENT: &str = concat!("ctrlhub-rust/", env!("CARGO_PKG_VERSION"));

/// The `User-Agent` with `suffix` after this crate's own, checked.
pub(crate) fn user_agent(suffix: Option<&str>) -> Result<HeaderValue, Error> {
    let Some(suffix) = suffix else {
        return Ok(HeaderValue::from_static(USER_AGENT));
    };
    let suffix = suffix.trim();
    if suffix.is_empty() {
        return Err(Error::invalid_input("user_agent_suffix", "is empty"));
    }
    if let Some(bad) = suffix
        .chars()
        .find(|c| !(c.is_ascii_graphic() || *c == ' '))
    {
        return Err(Error::invalid_input(
            "user_agent_suffix",
            format!("holds {bad:?}: use printable ASCII, such as `my-app/1.2 (ops@example.com)`"),
        ));
    }
    HeaderValue::from_str(&format!("{USER_AGENT} {suffix}")).map_err(|e| {
        Error::invalid_input("user_agent_suffix", format!("is not a header value: {e}"))
    })
}

#[cfg(test)]
mod tests;
