//! The client the connection flags and variables describe.

use std::time::Duration;

use ctrlhub::{Client, ClientBuilder, Endpoints};

use crate::args::Connection;
use crate::exit::Failure;

/// A setting given as a flag or variable; empty counts as not given.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// The client the flags and variables describe, and the host to name in messages. The
/// library's rules (`ClientBuilder::from_vars`, the same as `Client::from_env`'s) say which
/// settings are needed and how they combine; a flag overrides its variable.
pub fn connect(c: &Connection) -> Result<(Client, String), Failure> {
    let base_url = given(&c.base_url).unwrap_or(Endpoints::PRODUCTION.api);
    let host = host_of(base_url);
    let fail = |e: ctrlhub::Error| Failure::api(&e, &host);
    let client = ClientBuilder::from_vars(|var| c.setting(var))
        .map_err(fail)?
        .timeout(Duration::from_secs(c.timeout.max(1)))
        .on_wait(crate::output::show_wait)
        .build()
        .map_err(fail)?;
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
    use crate::args::Secret;

    fn connection() -> Connection {
        Connection {
            base_url: Some("http://127.0.0.1:9".into()),
            org_id: Some("3c90c3cc-0d44-4b50-8888-8dd25736052a".into()),
            session_token: None,
            client_id: None,
            client_secret: None,
            auth_url: None,
            timeout: 30,
        }
    }

    fn refusal(c: &Connection) -> String {
        match connect(c) {
            Ok(_) => panic!("connected"),
            Err(failure) => failure.message,
        }
    }

    #[test]
    fn the_library_rules_decide_and_the_errors_name_flag_and_variable() {
        let mut c = connection();
        c.session_token = Some(Secret::from("secret-token-5a6b".to_owned()));
        assert!(connect(&c).is_ok());

        c.org_id = Some("  ".into());
        assert_eq!(
            refusal(&c),
            "invalid --org-id (CTRLHUB_ORG_ID): is not set\n  nothing was sent; correct it and run again"
        );

        let mut c = connection();
        c.session_token = Some(Secret::from("secret-token-5a6b".to_owned()));
        c.client_id = Some("svc".into());
        let message = refusal(&c);
        assert!(
            message.starts_with("invalid --session-token (CTRLHUB_SESSION_TOKEN): ")
                && message.contains("--client-id (CTRLHUB_CLIENT_ID)")
                && !message.contains("secret-token-5a6b"),
            "{message}"
        );

        let mut c = connection();
        c.client_id = Some("svc".into());
        assert!(
            refusal(&c).starts_with("invalid --client-secret (CTRLHUB_CLIENT_SECRET): is not set")
        );

        let mut c = connection();
        c.client_id = Some("svc".into());
        c.client_secret = Some(Secret::from("with space".to_owned()));
        let message = refusal(&c);
        assert!(
            message.starts_with("invalid --client-secret (CTRLHUB_CLIENT_SECRET): ")
                && !message.contains("with space"),
            "{message}"
        );
        c.client_secret = Some(Secret::from("s3cr3t".to_owned()));
        c.base_url = Some("http://api.example.com".into());
        assert!(refusal(&c).starts_with("invalid --base-url (CTRLHUB_BASE_URL): "));
    }

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
