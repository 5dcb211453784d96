//! Exit codes and error messages: each kind of failure, and what to do next.

use ctrlhub_fake::{FakeCtrlHub, Fault};

use crate::{code, ctrlhub, run, stderr};

#[tokio::test(flavor = "multi_thread")]
async fn each_kind_of_error_has_its_own_exit_code_and_a_message_to_act_on() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let missing = "0b7e7a3c-2f7c-4b7e-9a3c-2f7c4b7e9a3c";

    // 2: usage.
    assert_eq!(
        code(&run(&mut ctrlhub(&fake), &["interactions", "frobnicate"])),
        2
    );

    // 3: refused before sending, naming the setting.
    let output = run(
        ctrlhub(&fake).env_remove("CTRLHUB_ORG_ID"),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 3);
    assert!(
        stderr(&output).contains("--org-id (CTRLHUB_ORG_ID)"),
        "{}",
        stderr(&output)
    );
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "create", "--date-time", "tuesday"],
    );
    assert_eq!(code(&output), 3);
    assert!(stderr(&output).contains("--date-time"));
    assert!(fake.api_requests().is_empty(), "nothing was sent");

    // 4: credentials refused; names what to check.
    let output = run(
        ctrlhub(&fake).env("CTRLHUB_SESSION_TOKEN", "expired-token-3d4e"),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 4);
    let message = stderr(&output);
    assert!(
        message.contains("401") && message.contains("CTRLHUB_SESSION_TOKEN"),
        "{message}"
    );
    assert!(!message.contains("expired-token-3d4e"));

    // 5: Ctrl Hub's error document: the host, the status, the trace id, what next.
    let output = run(&mut ctrlhub(&fake), &["interactions", "get", missing]);
    assert_eq!(code(&output), 5);
    let message = stderr(&output);
    let host = fake.base_url().trim_start_matches("http://").to_owned();
    assert!(message.contains(&host), "{message}");
    assert!(message.contains("status: 404 Not Found"), "{message}");
    assert!(message.contains("trace id: "), "{message}");
    assert!(message.contains("next: check the id"), "{message}");

    // 6: an answer that is not Ctrl Hub's (a proxy's HTML page).
    fake.push_fault(Fault::Status {
        status: 200,
        headers: vec![("content-type".into(), "text/html".into())],
        body: "<html><body>Sign in to the proxy</body></html>".into(),
    });
    let output = run(&mut ctrlhub(&fake), &["interactions", "list"]);
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    assert!(stderr(&output).contains("Sign in to the proxy"));
    assert!(stderr(&output).contains("next: the answer was not Ctrl Hub's"));

    // 7: nothing listens there: names the host and the cause.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let output = run(
        ctrlhub(&fake).env("CTRLHUB_BASE_URL", format!("http://127.0.0.1:{port}")),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 7);
    let message = stderr(&output);
    assert!(
        message.contains(&format!("could not connect to 127.0.0.1:{port}")),
        "{message}"
    );
    assert!(message.contains("refused"), "{message}");
    assert!(message.contains("next: check --base-url"), "{message}");

    // 7: TLS to a server that speaks plain HTTP.
    let output = run(
        ctrlhub(&fake).env(
            "CTRLHUB_BASE_URL",
            fake.base_url().replace("http:", "https:"),
        ),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 7);
    assert!(
        stderr(&output).contains("TLS failed"),
        "{}",
        stderr(&output)
    );

    // 7: too slow; says how to allow longer.
    fake.push_fault(Fault::Hang);
    fake.push_fault(Fault::Hang);
    fake.push_fault(Fault::Hang);
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "list", "--timeout", "1"],
    );
    assert_eq!(code(&output), 7);
    assert!(stderr(&output).contains("--timeout"), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!("error: {host} did not answer in time")),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_error_status_says_what_to_do_next() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // Status, how many times the fake gives it (reads are sent again on 429 and 5xx,
    // three attempts in all), and the advice.
    let cases: &[(u16, usize, &str)] = &[
        (400, 1, "next: correct the values Ctrl Hub named above"),
        (422, 1, "next: correct the values Ctrl Hub named above"),
        (
            403,
            1,
            "next: the credentials may not do this in this organisation",
        ),
        (404, 1, "next: check the id and the organisation"),
        (429, 3, "next: Ctrl Hub is limiting requests"),
        (500, 1, "next: Ctrl Hub failed: try again later"),
        (503, 3, "next: Ctrl Hub failed: try again later"),
        (409, 1, "next: see the message above"),
    ];
    for (status, times, advice) in cases {
        for _ in 0..*times {
            fake.push_fault(Fault::status(*status).with_header("retry-after", "0"));
        }
        let output = run(&mut ctrlhub(&fake), &["contacts", "list"]);
        assert_eq!(code(&output), 5, "{status}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains(&format!("status: {status}")), "{message}");
        assert!(message.contains(advice), "{status}: {message}");
        assert_eq!(fake.pending_faults(), 0, "{status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_over_the_size_limit_says_to_ask_for_less() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // 33 MiB, over the client's 32 MiB default.
    fake.push_fault(Fault::Status {
        status: 200,
        headers: vec![("content-type".into(), "application/vnd.api+json".into())],
        body: " ".repeat(33 * 1024 * 1024),
    });
    let output = run(&mut ctrlhub(&fake), &["contacts", "list"]);
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("next: the answer was larger than the client accepts"),
        "{}",
        stderr(&output)
    );
}
