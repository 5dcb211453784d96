//! Waits a caller can see (`ClientBuilder::on_wait`), on tokio's paused clock against the
//! fake Ctrl Hub.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctrlhub::{RetryCause, RetryPolicy, StatusCode, Wait, WaitReason};
use ctrlhub_fake::{FakeCtrlHub, Fault};

use crate::common::seed_interaction;

/// A client of `fake` whose waits are collected.
fn watched(fake: &FakeCtrlHub, policy: RetryPolicy) -> (ctrlhub::Client, Arc<Mutex<Vec<Wait>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .connect_timeout(None)
        .timeout(Duration::from_secs(12))
        .retry_policy(policy)
        .on_wait(move |wait| sink.lock().unwrap().push(wait.clone()))
        .build()
        .unwrap();
    (client, seen)
}

fn status(status: u16, headers: &[(&str, &str)]) -> Fault {
    Fault::Status {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: String::new(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_is_reported_with_its_cause_delay_and_attempt() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let (client, seen) = watched(&fake, RetryPolicy::new().max_attempts(3));
    fake.push_fault(status(503, &[("retry-after", "2")]));
    client.interactions().list().page().await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].operation, "list_customer_interactions");
    assert_eq!((seen[0].attempt, seen[0].max_attempts), (1, 3));
    assert_eq!(
        seen[0].reason,
        WaitReason::Retry {
            after: RetryCause::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: true,
            },
            delay: Duration::from_secs(2),
        }
    );
    assert_eq!(fake.api_requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_attempt_without_an_answer_is_reported_every_five_seconds_until_its_timeout() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let (client, seen) = watched(&fake, RetryPolicy::new().max_attempts(2));
    fake.push_fault(Fault::Hang);
    fake.push_fault(Fault::Hang);
    let error = client.interactions().list().page().await.unwrap_err();
    assert!(matches!(error, ctrlhub::Error::Transport(_)), "{error:?}");
    let seen = seen.lock().unwrap();
    let reasons: Vec<(u32, String)> = seen
        .iter()
        .map(|w| {
            let kind = match w.reason {
                WaitReason::NoAnswerYet { waited } => format!("no answer {}s", waited.as_secs()),
                WaitReason::Retry {
                    after: RetryCause::NoAnswer,
                    ..
                } => "retry after no answer".to_owned(),
                other => format!("{other:?}"),
            };
            (w.attempt, kind)
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (1, "no answer 5s".to_owned()),
            (1, "no answer 10s".to_owned()),
            (1, "retry after no answer".to_owned()),
            (2, "no answer 5s".to_owned()),
            (2, "no answer 10s".to_owned()),
        ]
    );
    assert!(
        seen.iter()
            .all(|w| w.operation == "list_customer_interactions")
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_many_pause_after_a_429_names_the_create_as_the_transport_does() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let (client, seen) = watched(&fake, RetryPolicy::new().max_attempts(3));
    fake.push_fault(status(429, &[("retry-after", "3")]));
    fake.set_create_delay(Duration::from_secs(6));
    let report = client
        .interactions()
        .create_many(vec![seed_interaction("one")])
        .concurrency(1)
        .send()
        .await;
    assert_eq!(report.created, 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[0].reason,
        WaitReason::Retry {
            after: RetryCause::Status {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: true
            },
            delay: Duration::from_secs(3),
        }
    );
    // The second attempt's slow answer, reported by the transport under the same name.
    assert_eq!(seen[1].attempt, 1);
    assert_eq!(
        seen[1].reason,
        WaitReason::NoAnswerYet {
            waited: Duration::from_secs(5)
        }
    );
    assert_eq!(seen[0].operation, seen[1].operation);
    assert_eq!(seen[0].operation, "create_customer_interaction");
}
