use super::*;

#[test]
fn snippets_fold_white_space_and_stop_at_the_limit() {
    assert_eq!(
        DecodeError::snippet_of(b"<html>\n  <h1>502  Bad Gateway</h1>\n</html>"),
        "<html> <h1>502 Bad Gateway</h1> </html>"
    );
    let long = "x".repeat(1000);
    let snippet = DecodeError::snippet_of(long.as_bytes());
    assert_eq!(snippet.chars().count(), DecodeError::SNIPPET_LEN + 1);
    assert!(snippet.ends_with('…'));
    // Invalid UTF-8 is replaced, not a panic.
    assert_eq!(DecodeError::snippet_of(&[0xff, b'a']), "\u{fffd}a");
}

fn chain(messages: &[&str]) -> Vec<String> {
    messages.iter().map(|m| (*m).to_owned()).collect()
}

#[test]
fn a_transport_failure_names_its_cause_and_an_innermost_detail_without_a_url() {
    let dns = chain(&[
        "error sending request for url (https://api.example/v3/orgs/x?token=no)",
        "client error (Connect)",
        "dns error",
        "failed to lookup address information: Name or service not known",
    ]);
    assert_eq!(
        TransportCause::named(&dns, false, false),
        (
            TransportCause::Dns,
            "failed to lookup address information: Name or service not known".to_owned()
        )
    );
    let refused = chain(&["error sending request", "Connection refused (os error 111)"]);
    assert_eq!(
        TransportCause::named(&refused, false, false).0,
        TransportCause::Refused
    );
    assert_eq!(
        TransportCause::named(&chain(&["x"]), true, false).0,
        TransportCause::Refused
    );
    for sign in ["dns error", "failed to lookup address information"] {
        assert_eq!(
            TransportCause::named(&chain(&["a", sign]), false, false).0,
            TransportCause::Dns
        );
    }
    for sign in [
        "tls handshake eof",
        "invalid peer certificate",
        "handshake failure",
        "InvalidContentType",
        "received corrupt message",
    ] {
        assert_eq!(
            TransportCause::named(&chain(&["a", sign]), false, false).0,
            TransportCause::Tls,
            "{sign}"
        );
    }
    assert_eq!(
        TransportCause::named(&chain(&["a"]), false, true).0,
        TransportCause::TimedOut
    );
    assert_eq!(
        TransportCause::named(&chain(&["operation timed out"]), false, false).0,
        TransportCause::TimedOut
    );
    assert_eq!(
        TransportCause::named(&chain(&["a", "network unreachable"]), false, false),
        (TransportCause::Other, "network unreachable".to_owned())
    );
    // Every message names a URL: no detail rather than a path or a query.
    assert_eq!(
        TransportCause::named(&chain(&["for url (http://h/p?q=1)"]), false, false),
        (TransportCause::Other, String::new())
    );
    assert_eq!(
        TransportCause::named(&[], false, false),
        (TransportCause::Other, String::new())
    );
}

#[test]
fn a_host_is_named_with_its_port_only_when_it_is_not_the_default() {
    let host = |url: &str| host_of(&url::Url::parse(url).unwrap());
    assert_eq!(
        host("https://api.ctrl-hub.com/v3/orgs/x?y=1"),
        "api.ctrl-hub.com"
    );
    assert_eq!(host("https://api.ctrl-hub.com:443/"), "api.ctrl-hub.com");
    assert_eq!(host("http://127.0.0.1:8080/p"), "127.0.0.1:8080");
    assert_eq!(
        host("https://user:secret@h.example:8443/"),
        "h.example:8443"
    );
    assert_eq!(host("http://[::1]:9/"), "[::1]:9");
}

fn transport(kind: TransportErrorKind, cause: TransportCause, detail: &str) -> TransportError {
    // Any reqwest error will do as the source: the message is made from the fields.
    let source = reqwest::Client::builder()
        .build()
        .unwrap()
        .get("not a url")
        .build()
        .unwrap_err();
    TransportError {
        kind,
        outcome: if kind == TransportErrorKind::Connect {
            Outcome::NotSent
        } else {
            Outcome::Unknown
        },
        attempts: 2,
        host: "h.example:8443".into(),
        cause,
        detail: detail.into(),
        source,
    }
}

#[test]
fn a_transport_message_names_the_host_the_cause_and_a_useful_detail_only() {
    use TransportCause::{Other, Refused, TimedOut, Tls};
    use TransportErrorKind::{Connect, Interrupted, Timeout};
    let message = |kind, cause, detail| transport(kind, cause, detail).to_string();
    assert_eq!(
        message(Connect, Refused, "Connection refused (os error 111)"),
        "could not connect to h.example:8443: the connection was refused (after 2 attempts); \
         the request was not sent"
    );
    assert_eq!(
        message(Connect, Tls, "invalid peer certificate: UnknownIssuer"),
        "could not connect to h.example:8443: TLS failed (invalid peer certificate: \
         UnknownIssuer) (after 2 attempts); the request was not sent"
    );
    assert_eq!(
        message(Connect, TimedOut, "deadline has elapsed"),
        "could not connect to h.example:8443: timed out (after 2 attempts); the request was \
         not sent"
    );
    let timeout = message(Timeout, TimedOut, "operation timed out");
    assert!(
        timeout.starts_with("h.example:8443 did not answer in time (after 2 attempts)"),
        "{timeout}"
    );
    assert!(timeout.contains(UNKNOWN_OUTCOME), "{timeout}");
    let interrupted = message(Interrupted, Other, "connection reset by peer");
    assert!(
        interrupted.starts_with(
            "the connection to h.example:8443 failed mid-request: the transport failed \
             (connection reset by peer) (after 2 attempts)"
        ),
        "{interrupted}"
    );
    assert!(message(Interrupted, Other, "").starts_with(
        "the connection to h.example:8443 failed mid-request: the transport failed (after"
    ));
    assert!(
        message(Timeout, Other, "x")
            .starts_with("h.example:8443 did not answer in time: the transport failed (x)")
    );
}

#[test]
fn a_refused_connection_is_known_by_its_kind_whatever_the_words() {
    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("client error (Connect)")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    // Windows words it "No connection could be made because the target machine actively
    // refused it".
    let refused = Outer(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "the target machine actively refused it",
    ));
    assert_eq!(
        TransportCause::of_chain(&refused, false),
        (
            TransportCause::Refused,
            "the target machine actively refused it".to_owned()
        )
    );
    let other = Outer(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "reset",
    ));
    assert_eq!(
        TransportCause::of_chain(&other, false).0,
        TransportCause::Other
    );
    assert_eq!(
        TransportCause::of_chain(&other, true).0,
        TransportCause::TimedOut
    );
}
