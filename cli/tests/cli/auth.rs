//! `ctrlhub auth check`: who and where, and never a secret.

use ctrlhub_fake::FakeCtrlHub;
use serde_json::Value;

use crate::{bare, code, ctrlhub, json_lines, run, stderr, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn auth_check_says_who_and_where_and_never_prints_the_token() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(3);
    let output = run(&mut ctrlhub(&fake), &["auth", "check", "--verbose"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let answer = &json_lines(&output)[0];
    assert_eq!(answer["api"], fake.base_url().as_str());
    assert_eq!(answer["organisation"], fake.org_id().to_string().as_str());
    assert_eq!(answer["credentials"], "session token");
    assert_eq!(answer["interactions"], 3);
    let log = stderr(&output);
    // --verbose shows the client's spans.
    assert!(log.contains("ctrlhub"), "{log}");
    assert!(!log.contains(fake.session_token()) && !stdout(&output).contains(fake.session_token()));

    // A service-account key: the secret is never shown either, even refused, even verbose.
    let output = run(
        bare()
            .env("CTRLHUB_BASE_URL", fake.base_url())
            .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
            .env("CTRLHUB_CLIENT_ID", fake.client_id())
            .env("CTRLHUB_CLIENT_SECRET", "wrong-secret-5e6f")
            .env("CTRLHUB_AUTH_URL", fake.token_url()),
        &["auth", "check", "--verbose"],
    );
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(stderr(&output).contains("CTRLHUB_CLIENT_SECRET"));
    assert!(!stderr(&output).contains("wrong-secret-5e6f"));
    assert!(!stdout(&output).contains("wrong-secret-5e6f"));

    let output = run(
        bare()
            .env("CTRLHUB_BASE_URL", fake.base_url())
            .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
            .env("CTRLHUB_CLIENT_ID", fake.client_id())
            .env("CTRLHUB_CLIENT_SECRET", fake.client_secret())
            .env("CTRLHUB_AUTH_URL", fake.token_url()),
        &["auth", "check", "--format", "json"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        answer["credentials"],
        format!("service account {}", fake.client_id())
    );
}
