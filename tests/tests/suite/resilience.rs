//! Tokens, retries, timeouts, redirects and secrecy, against the fake Ctrl Hub.
//!
//! Timing runs on tokio's paused clock: the fake serves from the test's own runtime, so
//! waiting on loopback I/O never lets the clock jump, and every sleep and timeout of the
//! client completes at once while `Instant` advances exactly by its length.

use std::time::Duration;

use ctrlhub::{
    AuthError, Error, InteractionDirection, InteractionMethod, NewInteraction, Outcome,
    RetryPolicy, TransportErrorKind,
};
use ctrlhub_fake::{FakeCtrlHub, Fault};
use futures::future::join_all;
use tokio::time::Instant;

/// A client of `fake` with its service-account key and no timeouts (a paused clock
/// would fire them the moment the runtime waits).
fn service_client(fake: &FakeCtrlHub) -> ctrlhub::ClientBuilder {
    ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .client_credentials(fake.client_id(), fake.client_secret())
        .token_url(fake.token_url())
        .connect_timeout(None)
        .timeout(None)
}

fn session_client(fake: &FakeCtrlHub) -> ctrlhub::ClientBuilder {
    ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .connect_timeout(None)
        .timeout(None)
}

fn new_interaction() -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Letter)
        .direction(InteractionDirection::Outbound)
        .date_time(chrono::Utc::now())
        .notes("Posted the renewal pack")
}

fn api_calls(fake: &FakeCtrlHub, method: &str) -> usize {
    fake.api_requests()
        .iter()
        .filter(|r| r.method == method)
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_401_renews_the_token_once_and_the_request_succeeds() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = service_client(&fake).build().unwrap();
    client
        .interactions()
        .create(new_interaction())
        .await
        .unwrap();
    assert_eq!(fake.token_requests(), 1);

    fake.revoke_tokens();
    let page = client
        .interactions()
        .list()
        .page()
        .await
        .expect("renewed and repeated");
    assert_eq!(page.items.len(), 1);
    assert_eq!(fake.token_requests(), 2, "exactly one renewal");
    assert_eq!(
        api_calls(&fake, "GET"),
        2,
        "the refused GET and its one repeat"
    );
    let bearer = |i: usize| {
        fake.api_requests()[i]
            .header("authorization")
            .map(str::to_owned)
    };
    assert_ne!(bearer(1), bearer(2), "the repeat carries the new token");
    assert!(bearer(2).unwrap().starts_with("Bearer fake-access-2-"));
}

#[tokio::test(start_paused = true)]
async fn a_token_refused_after_renewal_is_an_auth_error_without_looping() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = service_client(&fake).build().unwrap();
    fake.refuse_all_tokens(true);
    let error = client.interactions().list().page().await.unwrap_err();
    assert!(
        matches!(error, Error::Auth(AuthError::Rejected { .. })),
        "{error:?}"
    );
    assert_eq!(fake.token_requests(), 2, "the first token and one renewal");
    assert_eq!(api_calls(&fake, "GET"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_session_token_refused_is_not_retried() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token("expired-session")
        .build()
        .unwrap();
    let error = client.interactions().list().page().await.unwrap_err();
    assert!(
        matches!(error, Error::Auth(AuthError::Rejected { .. })),
        "{error:?}"
    );
    assert_eq!(api_calls(&fake, "GET"), 1);
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_requests_with_an_expired_token_make_one_token_request() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_token_lifetime(Some(60));
    let client = service_client(&fake).build().unwrap();
    client.interactions().list().page().await.unwrap();
    assert_eq!(fake.token_requests(), 1);

    tokio::time::advance(Duration::from_secs(61)).await;
    let clones: Vec<_> = (0..50).map(|_| client.clone()).collect();
    let results = join_all(
        clones
            .iter()
            .map(|c| async move { c.interactions().list().page().await }),
    )
    .await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(fake.token_requests(), 2, "one renewal for all fifty");
    assert_eq!(
        api_calls(&fake, "GET"),
        51,
        "no request was refused and repeated"
    );
}

#[tokio::test(start_paused = true)]
async fn a_token_is_renewed_ahead_of_its_expiry() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_token_lifetime(Some(120));
    let client = service_client(&fake).build().unwrap();
    client.interactions().list().page().await.unwrap();
    tokio::time::advance(Duration::from_secs(80)).await;
    client.interactions().list().page().await.unwrap();
    assert_eq!(fake.token_requests(), 1, "80 s into 120 s: still fresh");
    tokio::time::advance(Duration::from_secs(11)).await;
    client.interactions().list().page().await.unwrap();
    assert_eq!(
        fake.token_requests(),
        2,
        "within 30 s of expiry: renewed before use"
    );
    assert_eq!(api_calls(&fake, "GET"), 3, "no 401 was needed");
}

#[tokio::test(start_paused = true)]
async fn a_token_that_lives_under_a_minute_is_renewed_halfway() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_token_lifetime(Some(20));
    let client = service_client(&fake).build().unwrap();
    client.interactions().list().page().await.unwrap();
    tokio::time::advance(Duration::from_secs(9)).await;
    client.interactions().list().page().await.unwrap();
    assert_eq!(fake.token_requests(), 1, "9 s into 20 s: still fresh");
    tokio::time::advance(Duration::from_secs(2)).await;
    client.interactions().list().page().await.unwrap();
    assert_eq!(fake.token_requests(), 2, "past halfway: renewed before use");
    assert_eq!(api_calls(&fake, "GET"), 3, "no 401 was needed");
}

#[tokio::test(start_paused = true)]
async fn a_refused_client_secret_is_an_auth_error_that_does_not_show_the_secret() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let secret = "wrong-secret-Zq81xv";
    let client = service_client(&fake)
        .client_credentials(fake.client_id(), secret)
        .build()
        .unwrap();
    let error = client
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    let Error::Auth(AuthError::TokenRefused {
        status,
        error: code,
        description,
    }) = &error
    else {
        panic!("expected TokenRefused, got {error:?}");
    };
    assert_eq!(status.as_u16(), 400);
    assert_eq!(code.as_deref(), Some("invalid_client"));
    assert_eq!(description.as_deref(), Some("Client authentication failed"));
    assert_eq!(
        error.to_string(),
        "the token endpoint refused the client credentials (400 Bad Request, invalid_client): \
         Client authentication failed"
    );
    assert!(!format!("{error:?}").contains(secret));
    assert!(!format!("{client:?}").contains(secret));
    assert!(fake.api_requests().is_empty(), "nothing reached the API");
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_token_endpoint_is_an_auth_error() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = service_client(&fake)
        .token_url(format!("http://127.0.0.1:{port}/oauth2/token"))
        .build()
        .unwrap();
    let error = client.interactions().list().page().await.unwrap_err();
    let Error::Auth(AuthError::TokenUnavailable { reason }) = &error else {
        panic!("expected TokenUnavailable, got {error:?}");
    };
    assert!(
        reason.starts_with("the token endpoint could not be reached"),
        "{reason}"
    );
    assert!(fake.api_requests().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failed_token_request_is_shared_by_every_waiting_call() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.break_token_answer(Some("<html>maintenance</html>"));
    let client = service_client(&fake).build().unwrap();
    let results =
        join_all((0..10).map(|_| async { client.interactions().list().page().await })).await;
    for result in &results {
        assert!(
            matches!(result, Err(Error::Auth(AuthError::TokenUnavailable { .. }))),
            "{result:?}"
        );
    }
    assert_eq!(
        fake.token_requests(),
        1,
        "one failed token request, not ten in turn"
    );
    // A later call tries again, and succeeds once the endpoint is mended.
    fake.break_token_answer(None);
    client.interactions().list().page().await.unwrap();
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_token_answer_larger_than_any_token_is_not_read_to_its_end() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let huge = format!(r#"{{"access_token": "{}"}}"#, "x".repeat(200 * 1024));
    fake.break_token_answer(Some(&huge));
    let client = service_client(&fake).build().unwrap();
    let error = client.interactions().list().page().await.unwrap_err();
    let Error::Auth(AuthError::TokenUnavailable { reason }) = &error else {
        panic!("expected TokenUnavailable, got {error:?}");
    };
    assert!(reason.contains("larger than 65536 bytes"), "{reason}");
    assert!(
        !reason.contains("xxxx"),
        "the answer is not quoted: {reason}"
    );
    assert!(
        fake.api_requests().is_empty(),
        "nothing sent without a token"
    );
}

#[tokio::test(start_paused = true)]
async fn calls_waiting_for_a_token_take_the_one_fetched_meanwhile_even_if_short_lived() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // A token that is stale on arrival: without care every waiting call would fetch again.
    fake.set_token_lifetime(Some(0));
    let client = service_client(&fake).build().unwrap();
    let results =
        join_all((0..10).map(|_| async { client.interactions().list().page().await })).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn with_the_defaults_a_get_that_times_out_is_retried() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.push_fault(Fault::Hang);
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .unwrap();
    let started = Instant::now();
    client
        .interactions()
        .list()
        .page()
        .await
        .expect("retried after the 30 s timeout");
    assert_eq!(api_calls(&fake, "GET"), 2);
    assert!(
        started.elapsed() >= ctrlhub::ClientBuilder::DEFAULT_TIMEOUT,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.push_fault(Fault::status(429).with_header("retry-after", "2"));
    let client = session_client(&fake).build().unwrap();
    let started = Instant::now();
    client
        .interactions()
        .list()
        .page()
        .await
        .expect("the retry succeeds");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2050),
        "waited {waited:?}"
    );
    assert_eq!(api_calls(&fake, "GET"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_date_is_honoured() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // An HTTP-date in the past means "now"; a date can't be pinned to a paused clock.
    fake.push_fault(Fault::status(503).with_header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"));
    let client = session_client(&fake).build().unwrap();
    let started = Instant::now();
    client.interactions().list().page().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(api_calls(&fake, "GET"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_503_on_get_is_retried_up_to_the_bound_then_a_typed_error() {
    let fake = FakeCtrlHub::start().await.unwrap();
    for _ in 0..5 {
        fake.push_fault(Fault::status(503).with_header("x-trace-id", "busy-1"));
    }
    let client = session_client(&fake)
        .retry_policy(RetryPolicy::new().max_attempts(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.interactions().list().page().await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 503);
    assert_eq!(api.attempts, 3);
    assert_eq!(api.trace_id.as_deref(), Some("busy-1"));
    assert_eq!(api.outcome, None, "a GET changes nothing");
    assert_eq!(api_calls(&fake, "GET"), 3);
    assert_eq!(fake.pending_faults(), 2);
    // Two backoff waits: 200 ms and 400 ms, each with up to as much again of jitter.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(600) && waited <= Duration::from_millis(1200),
        "{waited:?}"
    );
    assert!(error.to_string().contains("(after 3 attempts)"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn retries_can_be_switched_off() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.push_fault(Fault::status(503));
    let client = session_client(&fake)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = client.interactions().list().page().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(api_calls(&fake, "GET"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_answered_503_is_sent_once_and_its_outcome_is_unknown() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.push_fault(Fault::status(503).with_header("retry-after", "1"));
    let client = session_client(&fake).build().unwrap();
    let error = client
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    assert_eq!(api_calls(&fake, "POST"), 1);
    assert!(error.is_outcome_unknown());
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.outcome, Some(Outcome::Unknown));
    assert_eq!(api.retry_after, Some(Duration::from_secs(1)), "{api:?}");
    assert!(
        error.to_string().contains("the outcome is unknown"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_that_times_out_is_sent_once_and_its_outcome_is_unknown() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.push_fault(Fault::Hang);
    let client = session_client(&fake)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected Transport, got {error:?}")
    };
    assert_eq!(transport.kind, TransportErrorKind::Timeout);
    assert_eq!(transport.outcome, Outcome::Unknown);
    assert_eq!(transport.attempts, 1);
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(
        api_calls(&fake, "POST"),
        1,
        "exactly one create reached the server"
    );
    assert!(fake.interactions().is_empty());
    assert!(
        error.to_string().contains("the outcome is unknown"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_get_that_times_out_is_retried() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.push_fault(Fault::Hang);
    let client = session_client(&fake)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client
        .interactions()
        .list()
        .page()
        .await
        .expect("the second attempt is served");
    assert_eq!(api_calls(&fake, "GET"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_create_to_a_closed_port_is_retried_because_it_never_left() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ctrlhub::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .organisation_id("5f0c7b9e-8a4e-4f4e-9b53-0d9a6c3f2e11")
        .session_token("token")
        .retry_policy(RetryPolicy::new().max_attempts(4))
        .connect_timeout(None)
        .timeout(None)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected Transport, got {error:?}")
    };
    assert_eq!(transport.kind, TransportErrorKind::Connect);
    assert_eq!(transport.outcome, Outcome::NotSent);
    assert_eq!(transport.attempts, 4);
    assert!(!error.is_outcome_unknown());
    // Three waits: 200 + 400 + 800 ms before jitter.
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_redirect_is_not_followed_so_no_other_origin_sees_a_credential() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let elsewhere = FakeCtrlHub::start().await.unwrap();
    for client in [
        session_client(&fake).build().unwrap(),
        service_client(&fake).build().unwrap(),
    ] {
        let target = format!(
            "{}/v3/orgs/{}/customers/interactions",
            elsewhere.base_url(),
            fake.org_id()
        );
        fake.push_fault(Fault::Redirect(target));
        let error = client.interactions().list().page().await.unwrap_err();
        let Error::Decode(decode) = &error else {
            panic!("expected Decode, got {error:?}")
        };
        assert_eq!(decode.status.map(|s| s.as_u16()), Some(307));
        assert!(
            decode.reason.contains("redirects are not followed"),
            "{}",
            decode.reason
        );
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the second server saw nothing at all"
    );
}

#[tokio::test(start_paused = true)]
async fn no_secret_appears_in_debug_or_error_text() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let service = service_client(&fake).build().unwrap();
    let session = session_client(&fake).build().unwrap();
    service.interactions().list().page().await.unwrap();
    let access_token = fake.api_requests()[0]
        .header("authorization")
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_owned();
    let secrets = [
        fake.client_secret(),
        fake.session_token(),
        access_token.as_str(),
    ];

    let mut texts = vec![
        format!("{service:?}"),
        format!("{session:?}"),
        format!("{:?}", service_client(&fake)),
        format!("{:?}", session_client(&fake)),
        format!("{:?}", service.raw()),
    ];
    // Failures of every kind, as Display and Debug.
    fake.refuse_all_tokens(true);
    let rejected = service.interactions().list().page().await.unwrap_err();
    fake.refuse_all_tokens(false);
    fake.push_fault(Fault::Status {
        status: 502,
        headers: vec![("content-type".into(), "text/html".into())],
        body: "<html>Bad gateway</html>".into(),
    });
    let decode = session
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    fake.push_fault(Fault::status(400));
    let api = session
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    // A token answer that is not the expected JSON but holds a token must not be quoted.
    let fresh = service_client(&fake).build().unwrap();
    fake.break_token_answer(Some(
        r#"{"access_token":["leaky-token-9f3k"],"token_type":"Bearer","expires_in":3600}"#,
    ));
    let unreadable = fresh.interactions().list().page().await.unwrap_err();
    assert!(
        matches!(&unreadable, Error::Auth(AuthError::TokenUnavailable { .. })),
        "{unreadable:?}"
    );
    fake.break_token_answer(None);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = service_client(&fake)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
        .interactions()
        .create(new_interaction())
        .await
        .unwrap_err();
    assert!(
        matches!(&unreachable, Error::Transport(_)),
        "{unreachable:?}"
    );
    for error in [rejected, decode, api, unreadable, unreachable] {
        texts.push(error.to_string());
        texts.push(format!("{error:?}"));
    }
    for text in &texts {
        assert!(
            !text.contains("leaky-token-9f3k"),
            "a token leaked into: {text}"
        );
        for secret in secrets {
            assert!(!text.contains(secret), "a secret leaked into: {text}");
        }
    }
    assert!(texts[0].contains("[redacted]"));
}
