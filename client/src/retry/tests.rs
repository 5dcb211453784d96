use super::*;

#[test]
fn retry_after_takes_seconds_and_http_dates() {
    let now =
        SystemTime::from(chrono::DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z").unwrap());
    assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-1", now), None);
}

fn headers(retry_after: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = retry_after {
        headers.insert(RETRY_AFTER, value.parse().unwrap());
    }
    headers
}

#[test]
fn post_is_retried_only_when_it_never_left() {
    let policy = RetryPolicy::default();
    let mut retries = policy.start();
    let h = headers(None);
    assert!(
        retries
            .next_wait(&Method::POST, 1, Failure::MaybeSent)
            .is_none()
    );
    assert!(
        retries
            .next_wait(
                &Method::POST,
                1,
                Failure::Answered(StatusCode::SERVICE_UNAVAILABLE, &h)
            )
            .is_none()
    );
    assert!(
        retries
            .next_wait(
                &Method::POST,
                1,
                Failure::Answered(StatusCode::TOO_MANY_REQUESTS, &h)
            )
            .is_none()
    );
    assert!(
        retries
            .next_wait(&Method::POST, 1, Failure::NotConnected)
            .is_some()
    );
}

#[test]
fn idempotent_methods_retry_the_listed_statuses_only() {
    let policy = RetryPolicy::default();
    let h = headers(None);
    for status in [429, 502, 503, 504] {
        let status = StatusCode::from_u16(status).unwrap();
        assert!(
            policy
                .start()
                .next_wait(&Method::GET, 1, Failure::Answered(status, &h))
                .is_some()
        );
    }
    for status in [400, 401, 404, 409, 500] {
        let status = StatusCode::from_u16(status).unwrap();
        assert!(
            policy
                .start()
                .next_wait(&Method::PUT, 1, Failure::Answered(status, &h))
                .is_none()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn waits_grow_with_jitter_and_stop_at_the_bounds() {
    let policy = RetryPolicy::default()
        .max_attempts(10)
        .initial_backoff(Duration::from_millis(100))
        .max_backoff(Duration::from_millis(400))
        .max_elapsed(Duration::from_secs(2));
    let mut retries = policy.start();
    let mut waits = Vec::new();
    let mut attempt = 1;
    while let Some(wait) = retries.next_wait(&Method::GET, attempt, Failure::MaybeSent) {
        tokio::time::sleep(wait).await;
        waits.push(wait);
        attempt += 1;
    }
    // Base waits 100, 200, 400, 400, ... ms, each plus up to 100% jitter.
    for (wait, base) in waits.iter().zip([100u64, 200, 400, 400, 400, 400]) {
        let base = Duration::from_millis(base);
        assert!(
            *wait >= base && *wait <= base * 2,
            "{wait:?} for base {base:?}"
        );
    }
    assert!(waits.iter().sum::<Duration>() <= Duration::from_secs(2));
    assert!(attempt <= 10);
    assert!(
        waits.len() >= 3,
        "at least three retries fit in 2 s: {waits:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff_but_not_the_bounds() {
    let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(10));
    let h = headers(Some("2"));
    let mut retries = policy.start();
    assert_eq!(
        retries.next_wait(
            &Method::GET,
            1,
            Failure::Answered(StatusCode::TOO_MANY_REQUESTS, &h)
        ),
        Some(Duration::from_secs(2))
    );
    let too_long = headers(Some("60"));
    assert_eq!(
        policy.start().next_wait(
            &Method::GET,
            1,
            Failure::Answered(StatusCode::SERVICE_UNAVAILABLE, &too_long)
        ),
        None
    );
    // The attempt bound holds whatever the server asks.
    assert_eq!(
        retries.next_wait(
            &Method::GET,
            3,
            Failure::Answered(StatusCode::TOO_MANY_REQUESTS, &h)
        ),
        None
    );
    assert_eq!(
        RetryPolicy::disabled()
            .start()
            .next_wait(&Method::GET, 1, Failure::NotConnected),
        None
    );
}
