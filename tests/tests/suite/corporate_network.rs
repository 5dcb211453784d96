//! A corporate network: added root certificates, a proxy, a user-agent suffix, against a
//! loopback TLS front of the fake Ctrl Hub and a recording proxy.

use ctrlhub::{Error, TransportCause};
use ctrlhub_fake::network::{RecordingProxy, TlsFront};
use ctrlhub_fake::{FakeCtrlHub, Fault};

use crate::common::seed_interaction;

/// A builder for `base_url` with the fake's organisation and token.
fn builder(fake: &FakeCtrlHub, base_url: &str) -> ctrlhub::ClientBuilder {
    ctrlhub::Client::builder()
        .base_url(base_url)
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        // The tests never read the process's proxy variables.
        .no_proxy()
}

#[tokio::test]
async fn an_added_root_lets_the_client_reach_a_private_tls_server_and_without_it_nothing_is_sent() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let front = TlsFront::start(&fake.base_url()).await.unwrap();

    let untrusted = builder(&fake, &front.base_url()).build().unwrap();
    let error = untrusted
        .interactions()
        .create(seed_interaction("untrusted"))
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected Transport, got {error:?}")
    };
    assert_eq!(transport.cause, TransportCause::Tls, "{error}");
    assert!(
        !error.is_outcome_unknown(),
        "a failed handshake sent nothing: {error}"
    );
    assert_eq!(front.handshakes(), 0);
    assert!(fake.requests().is_empty(), "nothing reached the fake");

    for client in [
        builder(&fake, &front.base_url())
            .add_root_certificate_pem(front.ca_pem())
            .build()
            .unwrap(),
        builder(&fake, &front.base_url())
            .add_root_certificate_der(front.ca_der())
            .build()
            .unwrap(),
    ] {
        let created = client
            .interactions()
            .create(seed_interaction("through TLS"))
            .await
            .unwrap();
        assert!(
            fake.interactions()
                .iter()
                .any(|stored| stored["id"] == created.id.to_string())
        );
    }
    assert_eq!(fake.interactions().len(), 2);
    assert_eq!(front.handshakes(), 2);
}

#[tokio::test]
async fn through_a_proxy_the_proxy_sees_a_tls_tunnel_never_a_request_or_a_token() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let front = TlsFront::start(&fake.base_url()).await.unwrap();
    let proxy = RecordingProxy::start().await.unwrap();
    // The proxy's own credentials go to the proxy, in the CONNECT.
    let proxy_url = proxy.url().replace("http://", "http://ops:proxy-pass@");
    let client = builder(&fake, &front.base_url())
        .add_root_certificate_pem(front.ca_pem())
        .proxy(proxy_url)
        .user_agent_suffix("billing-sync/2.1")
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("proxy-pass"));

    let created = client
        .interactions()
        .create(seed_interaction("via the proxy"))
        .await
        .unwrap();
    client.interactions().get(created.id).await.unwrap();

    let connections = proxy.connections();
    assert!(!connections.is_empty());
    for connection in &connections {
        assert_eq!(
            connection.request_line(),
            format!("CONNECT {} HTTP/1.1", front.addr()),
            "{connection:?}"
        );
        assert!(
            connection.head.contains("proxy-authorization: Basic")
                || connection.head.contains("Proxy-Authorization: Basic"),
            "{}",
            connection.head
        );
        assert_eq!(
            connection.tunnelled.first(),
            Some(&0x16),
            "the tunnel opens with a TLS handshake record"
        );
        for secret in [
            fake.session_token(),
            "x-session-token",
            "X-Session-Token",
            "/v3/orgs",
        ] {
            assert!(!connection.saw(secret), "the proxy read {secret:?}");
        }
    }
    // The API saw the requests, with the user-agent suffix.
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let agent = request.header("user-agent").unwrap();
        assert!(agent.starts_with("ctrlhub-rust/"), "{agent}");
        assert!(agent.ends_with(" billing-sync/2.1"), "{agent}");
    }
}

#[tokio::test]
async fn a_plain_http_base_url_never_goes_through_a_proxy() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let proxy = RecordingProxy::start().await.unwrap();
    let client = builder(&fake, &fake.base_url())
        .proxy(proxy.url())
        .build()
        .unwrap();
    client
        .interactions()
        .create(seed_interaction("direct"))
        .await
        .unwrap();
    assert_eq!(fake.interactions().len(), 1);
    assert_eq!(proxy.accepted(), 0, "{:?}", proxy.connections());
}

#[tokio::test]
async fn through_a_proxy_a_redirect_is_still_not_followed() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let elsewhere = FakeCtrlHub::start().await.unwrap();
    let front = TlsFront::start(&fake.base_url()).await.unwrap();
    let proxy = RecordingProxy::start().await.unwrap();
    let client = builder(&fake, &front.base_url())
        .add_root_certificate_pem(front.ca_pem())
        .proxy(proxy.url())
        .build()
        .unwrap();
    fake.push_fault(Fault::Redirect(format!(
        "{}/v3/orgs/{}/customers/interactions",
        elsewhere.base_url(),
        fake.org_id()
    )));
    let error = client.interactions().list().page().await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}")
    };
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(307));
    assert!(elsewhere.requests().is_empty());
    assert_eq!(proxy.accepted(), 1, "one tunnel, to the configured origin");
}

#[tokio::test]
async fn a_bad_setting_is_refused_naming_it_before_anything_is_sent() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let field = |result: Result<ctrlhub::Client, Error>| match result {
        Err(Error::InvalidInput(e)) => e.field,
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(
        field(
            builder(&fake, &fake.base_url())
                .proxy("socks5://127.0.0.1:1080")
                .build()
        ),
        "proxy"
    );
    assert_eq!(
        field(
            builder(&fake, &fake.base_url())
                .add_root_certificate_pem("-----BEGIN NOTHING-----")
                .build()
        ),
        "root_certificates[0]"
    );
    assert_eq!(
        field(
            builder(&fake, &fake.base_url())
                .user_agent_suffix("app/1\r\nX-Injected: yes")
                .build()
        ),
        "user_agent_suffix"
    );
    assert!(fake.requests().is_empty());
}
