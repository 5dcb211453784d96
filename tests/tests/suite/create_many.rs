//! Bulk create: one result per input, and never an interaction twice, under 429s, 503s
//! and timeouts (on tokio's paused clock).

use std::collections::HashMap;
use std::time::Duration;

use ctrlhub::{InteractionDirection, InteractionMethod, NewInteraction};
use ctrlhub_fake::{FakeCtrlHub, Fault};
use futures::StreamExt;

use crate::common::client_for;

fn item(i: usize) -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Telephone)
        .direction(InteractionDirection::Inbound)
        .date_time(chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").unwrap())
        .notes(format!("bulk item {i}"))
}

#[tokio::test(start_paused = true)]
async fn create_many_never_duplicates_under_429s_503s_and_timeouts() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    // Faults for the first 60 requests, whichever inputs they hit.
    for _ in 0..10 {
        fake.push_fault(Fault::status(429).with_header("retry-after", "2"));
        fake.push_fault(Fault::status(429));
        fake.push_fault(Fault::status(503));
        fake.push_fault(Fault::Hang);
        fake.push_fault(Fault::status(429).with_header("retry-after", "1"));
        fake.push_fault(Fault::status(400));
    }
    let total = 200;
    let started = tokio::time::Instant::now();
    let report = client
        .interactions()
        .create_many((0..total).map(item))
        .concurrency(32)
        .send()
        .await;

    assert_eq!(report.results.len(), total);
    assert!(report.results.iter().enumerate().all(|(i, c)| c.index == i));
    let stored: Vec<String> = fake
        .interactions()
        .iter()
        .map(|r| r["attributes"]["notes"].as_str().unwrap().to_owned())
        .collect();
    let mut copies: HashMap<&str, usize> = HashMap::new();
    for note in &stored {
        *copies.entry(note.as_str()).or_default() += 1;
    }
    assert!(copies.values().all(|n| *n == 1), "a duplicate: {copies:?}");
    for created in &report.results {
        let note = format!("bulk item {}", created.index);
        let count = copies.get(note.as_str()).copied().unwrap_or(0);
        match &created.result {
            Ok(interaction) => {
                assert_eq!(count, 1, "{note}");
                assert_eq!(interaction.notes.as_deref(), Some(note.as_str()));
            }
            // 503 and a timeout: not stored by the fake, but the client cannot know.
            Err(error) if error.is_outcome_unknown() => assert!(count <= 1, "{note}"),
            // 400: refused, not stored.
            Err(_) => assert_eq!(count, 0, "{note}"),
        }
    }
    // Every 429 was sent again: only the 503s, hangs and 400s failed.
    assert_eq!(
        report.failed,
        30,
        "{:?}",
        report
            .results
            .iter()
            .filter(|c| c.result.is_err())
            .map(|c| c.result.as_ref().unwrap_err().to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(report.outcome_unknown, 20);
    assert_eq!(report.created, total - 30);
    assert_eq!(stored.len(), report.created);
    assert_eq!(fake.pending_faults(), 0);
    // Retry-After was honoured.
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_worker_until_retry_after() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    fake.push_fault(Fault::status(429).with_header("retry-after", "30"));
    let started = tokio::time::Instant::now();
    let mut stream = client
        .interactions()
        .create_many((0..8).map(item))
        .concurrency(4)
        .stream();
    let mut early = 0;
    let mut created = 0;
    while let Some(done) = stream.next().await {
        assert!(done.result.is_ok(), "{:?}", done.result);
        created += 1;
        if started.elapsed() < Duration::from_secs(30) {
            early += 1;
        }
    }
    assert_eq!(created, 8);
    // Only the creates already sent when the 429 came in finish before Retry-After
    // (at most three of the first four); every input not yet sent waited, not just the
    // refused one.
    assert!(early <= 3, "{early} finished before the pause ended");
    assert_eq!(fake.requests().len(), 9, "one refused, eight created");
}

#[tokio::test(start_paused = true)]
async fn a_429_is_sent_again_only_as_often_as_the_retry_policy_allows() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .retry_policy(ctrlhub::RetryPolicy::new().max_attempts(3))
        .build()
        .unwrap();
    for _ in 0..10 {
        fake.push_fault(Fault::status(429).with_header("retry-after", "1"));
    }
    let report = client.interactions().create_many([item(0)]).send().await;
    let error = report.results[0].result.as_ref().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert!(!error.is_outcome_unknown(), "a 429 was not processed");
    assert_eq!(
        fake.requests().len(),
        3,
        "three attempts, then the 429 is the answer"
    );
    assert_eq!(fake.pending_faults(), 7);
    assert!(fake.interactions().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_longer_retry_after_extends_the_pause_of_every_worker() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    // Two workers are refused at once, asking for 1 s and then 20 s.
    fake.push_fault(Fault::status(429).with_header("retry-after", "1"));
    fake.push_fault(Fault::status(429).with_header("retry-after", "20"));
    let started = tokio::time::Instant::now();
    let mut stream = client
        .interactions()
        .create_many((0..6).map(item))
        .concurrency(2)
        .stream();
    let mut before_20s = 0;
    while let Some(done) = stream.next().await {
        assert!(done.result.is_ok(), "{:?}", done.result);
        if started.elapsed() < Duration::from_secs(20) {
            before_20s += 1;
        }
    }
    // Nothing is sent again before the longer of the two waits is over.
    assert_eq!(before_20s, 0);
    assert_eq!(fake.interactions().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn stop_when_lets_the_creates_in_flight_finish_and_starts_no_more() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut stop = Some(stop);
    let announced = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = announced.clone();
    let mut results = client
        .interactions()
        .create_many((0..50).map(item))
        .concurrency(4)
        .before_batch(move |batch| {
            seen.lock().unwrap().push(batch);
            std::future::ready(true)
        })
        .stop_when(async move {
            let _ = stopped.await;
        })
        .stream();
    let mut finished = Vec::new();
    while let Some(created) = results.next().await {
        assert!(created.result.is_ok(), "{:?}", created.result);
        finished.push(created.index);
        if finished.len() == 6 {
            // The signal: at most the 4 in flight now may still finish.
            stop.take().unwrap().send(()).unwrap();
        }
    }
    let announced = announced.lock().unwrap().clone();
    // Batches of 4 in order, each announced once; at most two beyond those sent.
    let expected: Vec<_> = (0..announced.len()).map(|k| 4 * k..4 * k + 4).collect();
    assert_eq!(announced, expected);
    finished.sort_unstable();
    assert!(
        (6..=10).contains(&finished.len()),
        "sent {}",
        finished.len()
    );
    assert_eq!(finished, (0..finished.len()).collect::<Vec<_>>());
    assert!(
        announced.len() * 4 <= finished.len() + 8,
        "announced {announced:?}, sent {}",
        finished.len()
    );
    assert_eq!(fake.interactions().len(), finished.len());
}

#[tokio::test]
async fn a_report_counts_the_inputs_never_started() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let report = client
        .interactions()
        .create_many((0..5).map(item))
        .stop_when(async {})
        .send()
        .await;
    assert_eq!(report.not_started, 5);
    assert!(report.results.is_empty());
    assert!(fake.api_requests().is_empty());

    // Awaited directly, as every single operation can be.
    let report = client.interactions().create_many((0..3).map(item)).await;
    assert_eq!((report.created, report.not_started), (3, 0));
}

#[tokio::test]
async fn before_batch_saying_no_sends_neither_that_batch_nor_any_after_it() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let report = client
        .interactions()
        .create_many((0..20).map(item))
        .concurrency(3)
        .before_batch(|batch| std::future::ready(batch.start < 6))
        .send()
        .await;
    assert_eq!(report.created, 6);
    assert_eq!(report.not_started, 14);
    let indexes: Vec<usize> = report.results.iter().map(|c| c.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4, 5]);
    let mut stored: Vec<String> = fake
        .interactions()
        .iter()
        .map(|r| r["attributes"]["notes"].as_str().unwrap().to_owned())
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        (0..6).map(|i| format!("bulk item {i}")).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn no_input_is_sent_before_its_batch_is_announced_and_the_last_batch_may_be_short() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    // Each batch's future finishes only when the test releases it.
    let (announced_tx, mut announced) = tokio::sync::mpsc::unbounded_channel();
    let mut results = client
        .interactions()
        .create_many((0..7).map(item))
        .concurrency(3)
        .before_batch(move |batch| {
            let (release, released) = tokio::sync::oneshot::channel::<bool>();
            announced_tx.send((batch, release)).unwrap();
            async move { released.await.unwrap_or(false) }
        })
        .stream();
    let driver = tokio::spawn(async move {
        let mut done = Vec::new();
        while let Some(created) = results.next().await {
            done.push((created.index, created.result.is_ok()));
        }
        done
    });
    let mut order = Vec::new();
    while let Some((batch, release)) = announced.recv().await {
        // Give the stream every chance to send early: nothing of this batch may arrive.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let sent = fake.api_requests().len();
        assert!(
            sent <= batch.start,
            "{sent} requests before batch {batch:?} was released"
        );
        order.push(batch);
        release.send(true).unwrap();
    }
    let mut done = driver.await.unwrap();
    done.sort_unstable();
    assert_eq!(order, [0..3, 3..6, 6..7]);
    assert_eq!(done, (0..7).map(|i| (i, true)).collect::<Vec<_>>());
    assert_eq!(fake.interactions().len(), 7);
}

#[tokio::test]
async fn the_next_batch_is_announced_while_this_one_is_sent() {
    let fake = std::sync::Arc::new(FakeCtrlHub::start().await.unwrap());
    // Each create takes a while, so the creates answered so far say how far sending got
    // when a batch was announced.
    fake.set_create_delay(Duration::from_millis(200));
    let client = client_for(&fake);
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let announced = log.clone();
    let answered = {
        let fake = fake.clone();
        move || fake.interactions().len()
    };
    let report = client
        .interactions()
        .create_many((0..8).map(item))
        .concurrency(2)
        .before_batch(move |batch| {
            announced.lock().unwrap().push((batch, answered()));
            std::future::ready(true)
        })
        .send()
        .await;
    assert_eq!(report.created, 8);
    let log = log.lock().unwrap().clone();
    let batches: Vec<_> = log.iter().map(|(b, _)| b.clone()).collect();
    assert_eq!(batches, [0..2, 2..4, 4..6, 6..8]);
    // Batch k is announced before batch k - 1 has been all answered (2k - 1 answers):
    // one batch ahead of what is being sent.
    for (k, (_, answered)) in log.iter().enumerate().skip(1) {
        assert!(
            *answered < 2 * k - 1,
            "batch {k} was announced only after {answered} answers: {log:?}"
        );
    }
}

#[tokio::test]
async fn a_create_many_shows_its_settings_but_not_its_callbacks_or_credentials() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let shown = format!(
        "{:?}",
        client
            .interactions()
            .create_many([item(0)])
            .concurrency(3)
            .stop_when(async {})
            .before_batch(|_| std::future::ready(true))
    );
    assert!(shown.starts_with("CreateMany {"), "{shown}");
    assert!(shown.contains("concurrency: 3"), "{shown}");
    assert!(shown.contains("stop: Some(\"<future>\")"), "{shown}");
    assert!(
        shown.contains("before_batch: Some(\"<callback>\")"),
        "{shown}"
    );
    // The inputs are a source read as they are sent: shown as such, not read.
    assert!(shown.contains("items: \"<inputs>\""), "{shown}");
    assert!(!shown.contains(fake.session_token()), "{shown}");
}

/// Inputs are read as slots free up, never gathered first: an endless source works, and
/// only a few inputs past the last one finished have been read.
#[tokio::test]
async fn create_many_reads_its_inputs_as_it_sends_them() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let read = Arc::new(AtomicUsize::new(0));
    let counter = read.clone();
    let endless = (0..).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        item(i)
    });
    let mut results = client
        .interactions()
        .create_many(endless)
        .concurrency(4)
        .before_batch(|_| async { true })
        .stream();
    for _ in 0..20 {
        assert!(results.next().await.unwrap().result.is_ok());
    }
    let read = read.load(Ordering::SeqCst);
    // 20 finished, up to 4 in flight, and up to two batches of 4 announced ahead.
    assert!((20..=20 + 4 + 8).contains(&read), "{read} inputs were read");
    drop(results);
    assert!(fake.interactions().len() >= 20);

    // A stream of inputs, read the same way; `send` counts the ones a stop left unread.
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        for i in 0..10 {
            if tx.send(item(100 + i)).await.is_err() {
                break;
            }
        }
    });
    let inputs =
        futures::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|new| (new, rx)) },
        );
    let report = client
        .interactions()
        .create_many_from_stream(inputs)
        .concurrency(2)
        .before_batch(|batch| async move { batch.start < 4 })
        .send()
        .await;
    assert_eq!((report.created, report.not_started), (4, 6));
    assert_eq!(report.results.len(), 4);
}

/// `send` reads a stream to its end and then counts what is left of it: a stream that
/// must not be polled after its end (an `unfold`) is not.
#[tokio::test]
async fn send_reads_a_stream_to_its_end_once() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let inputs = futures::stream::unfold(
        0,
        |i| async move { (i < 5).then(|| (item(200 + i), i + 1)) },
    );
    let report = client
        .interactions()
        .create_many_from_stream(inputs)
        .concurrency(2)
        .send()
        .await;
    assert_eq!((report.created, report.not_started), (5, 0));
    assert_eq!(fake.interactions().len(), 5);
}
