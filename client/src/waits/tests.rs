use super::*;

fn wait(reason: WaitReason) -> Wait {
    Wait {
        operation: "list_customer_interactions",
        attempt: 1,
        max_attempts: 3,
        reason,
    }
}

#[test]
fn each_wait_reads_as_a_sentence_with_the_attempt_and_the_time() {
    let retry = |after, millis| {
        wait(WaitReason::Retry {
            after,
            delay: Duration::from_millis(millis),
        })
        .to_string()
    };
    assert_eq!(
        retry(
            RetryCause::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: true
            },
            2000
        ),
        "list_customer_interactions: waiting 2 s before attempt 2 of 3 \
         (Ctrl Hub answered 503 and asked for the wait)"
    );
    assert_eq!(
        retry(
            RetryCause::Status {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: false
            },
            250
        ),
        "list_customer_interactions: waiting 0.2 s before attempt 2 of 3 (Ctrl Hub answered 429)"
    );
    assert_eq!(
        retry(RetryCause::NotConnected, 1500),
        "list_customer_interactions: waiting 1.5 s before attempt 2 of 3 (could not connect)"
    );
    assert_eq!(
        retry(RetryCause::NoAnswer, 12_300),
        "list_customer_interactions: waiting 12 s before attempt 2 of 3 (no answer came)"
    );
    assert_eq!(
        wait(WaitReason::NoAnswerYet {
            waited: Duration::from_secs(10)
        })
        .to_string(),
        "list_customer_interactions: no answer yet after 10 s (attempt 1 of 3)"
    );
}

#[test]
fn seconds_are_whole_from_ten_or_on_the_second() {
    assert_eq!(seconds(Duration::from_secs(5)), "5 s");
    assert_eq!(seconds(Duration::from_millis(9_950)), "9.9 s");
    assert_eq!(seconds(Duration::from_millis(10_000)), "10 s");
    assert_eq!(seconds(Duration::from_millis(10_900)), "10 s");
    assert_eq!(seconds(Duration::ZERO), "0 s");
}

#[tokio::test(start_paused = true)]
async fn an_answer_without_delay_is_not_reported_and_a_slow_one_every_five_seconds() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let observer = WaitObserver(Arc::new(move |wait: &Wait| {
        sink.lock().unwrap().push(wait.clone());
    }));
    let quick = watched(async { 7 }, &observer, "op", 1, 3).await;
    assert_eq!(quick, 7);
    assert!(seen.lock().unwrap().is_empty());

    let slow = watched(
        async {
            tokio::time::sleep(Duration::from_millis(12_500)).await;
            8
        },
        &observer,
        "op",
        2,
        3,
    )
    .await;
    assert_eq!(slow, 8);
    let waited: Vec<(u32, WaitReason)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|w| (w.attempt, w.reason))
        .collect();
    assert_eq!(
        waited,
        [5, 10].map(|s| (
            2,
            WaitReason::NoAnswerYet {
                waited: Duration::from_secs(s)
            }
        ))
    );
    assert_eq!(format!("{observer:?}"), "WaitObserver");
}
