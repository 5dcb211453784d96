//! Tracing output, in a test binary of its own: a thread-scoped subscriber shares
//! tracing's callsite cache with every other test in a process, and tests running
//! beside it could leave its spans switched off.

use ctrlhub::{InteractionDirection, InteractionMethod, NewInteraction};
use ctrlhub_fake::{FakeCtrlHub, Fault};

fn service_client(fake: &FakeCtrlHub) -> ctrlhub::ClientBuilder {
    ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .client_credentials(fake.client_id(), fake.client_secret())
        .token_url(fake.token_url())
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

/// A `MakeWriter` that keeps what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn each_attempt_is_traced_with_its_facts_and_no_secret_or_body() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeCtrlHub::start().await.unwrap();
    let client = service_client(&fake).build().unwrap();
    client
        .interactions()
        .create(new_interaction())
        .await
        .unwrap();
    fake.push_fault(Fault::status(503).with_header("x-trace-id", "trace-of-the-503"));
    client.interactions().list().page().await.unwrap();
    // A session-token client too; its span comes last.
    let session = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .unwrap();
    session.interactions().list().page().await.unwrap();
    // Failures are labelled by kind: a timeout, a refused connection, an answer too large.
    let quick = |base_url: String| {
        ctrlhub::Client::builder()
            .base_url(base_url)
            .organisation_id(fake.org_id())
            .session_token(fake.session_token())
            .timeout(std::time::Duration::from_secs(1))
            .retry_policy(ctrlhub::RetryPolicy::disabled())
    };
    fake.push_fault(Fault::Hang);
    let hung = quick(fake.base_url()).build().unwrap();
    hung.interactions().list().page().await.unwrap_err();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let refused = quick(closed).build().unwrap();
    refused.interactions().list().page().await.unwrap_err();
    let small = quick(fake.base_url()).max_answer_size(16).build().unwrap();
    small.interactions().list().page().await.unwrap_err();

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let spans: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("ctrlhub.request{") && l.contains("close time.busy"))
        .collect();
    assert_eq!(spans.len(), 7, "one span per attempt: {output}");
    let org = fake.org_id();
    let has = |span: &str, parts: &[&str]| {
        for part in parts {
            assert!(span.contains(part), "`{part}` missing from {span}");
        }
    };
    let path = format!("path=\"/v3/orgs/{org}/customers/interactions\"");
    has(
        spans[0],
        &[
            "operation=\"create_customer_interaction\"",
            "method=POST",
            &path,
            "attempt=1",
            "status=201",
            "duration_ms=",
            "trace_id=\"",
        ],
    );
    has(
        spans[1],
        &[
            "operation=\"list_customer_interactions\"",
            "method=GET",
            &path,
            "attempt=1",
            "status=503",
            "trace_id=\"trace-of-the-503\"",
        ],
    );
    has(
        spans[2],
        &[
            "operation=\"list_customer_interactions\"",
            "attempt=2",
            "status=200",
        ],
    );

    has(spans[4], &["error=timeout"]);
    has(spans[5], &["error=connect"]);
    has(spans[6], &["status=200", "error=\"answer_too_large\""]);

    let access_token = fake.api_requests()[0]
        .header("authorization")
        .unwrap()
        .to_owned();
    for secret in [
        fake.client_secret(),
        fake.session_token(),
        access_token.as_str(),
        access_token.trim_start_matches("Bearer "),
    ] {
        assert!(!output.contains(secret), "a secret was traced: {output}");
    }
    assert!(
        !output.contains("Posted the renewal pack"),
        "a request body was traced"
    );
}
