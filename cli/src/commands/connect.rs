//! The client the connection flags and variables describe.

use std::time::Duration;

use ctrlhub::{Client, Endpoints};

use crate::args::Connection;
use crate::exit::Failure;

/// A setting given as a flag or variable; empty counts as not given.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// The client the flags and variables describe, and the host to name in messages.
pub fn connect(c: &Connection) -> Result<(Client, String), Failure> {
    let base_url = given(&c.base_url).unwrap_or(Endpoints::PRODUCTION.api);
    let host = host_of(base_url);
    let refuse = Failure::refused;
    let mut builder = Client::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(c.timeout.max(1)))
        .on_wait(crate::output::show_wait);
    match given(&c.org_id) {
        Some(org) => builder = builder.organisation_id(org),
        None => return Err(refuse("--org-id (CTRLHUB_ORG_ID)", "is not set")),
    }
    builder = match (
        given(&c.session_token),
        given(&c.client_id),
        given(&c.client_secret),
    ) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(refuse(
                "--session-token (CTRLHUB_SESSION_TOKEN)",
                "give either it or --client-id and --client-secret, not both",
            ));
        }
        (Some(token), None, None) => builder.session_token(token),
        (None, Some(id), Some(secret)) => builder.client_credentials(id, secret),
        (None, Some(_), None) => {
            return Err(refuse(
                "--client-secret (CTRLHUB_CLIENT_SECRET)",
                "is not set",
            ));
        }
        (None, None, Some(_)) => {
            return Err(refuse("--client-id (CTRLHUB_CLIENT_ID)", "is not set"));
        }
        (None, None, None) => {
            return Err(refuse(
                "--session-token (CTRLHUB_SESSION_TOKEN)",
                "is not set (nor are --client-id and --client-secret)",
            ));
        }
    };
    if let Some(url) = given(&c.auth_url) {
        builder = builder.token_url(url);
    }
    let client = builder.build().map_err(|e| Failure::api(&e, &host))?;
    Ok((client, host))
}

/// `host[:port]` of a URL, for messages.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // Never a user:password@ part in a message.
    authority.rsplit('@').next().unwrap_or(authority).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_named_without_scheme_path_or_credentials() {
        assert_eq!(host_of("https://api.ctrl-hub.com"), "api.ctrl-hub.com");
        assert_eq!(host_of("http://127.0.0.1:8080/v3?x#y"), "127.0.0.1:8080");
        assert_eq!(
            host_of("https://user:pw@proxy.example/path"),
            "proxy.example"
        );
        assert_eq!(host_of("no-scheme.example/x"), "no-scheme.example");
    }
}
