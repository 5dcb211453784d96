//! Settling creates whose outcome is unknown, against the fake Ctrl Hub on the real
//! clock (its `Date` and `created_at` are wall-clock times, in whole seconds).

use std::time::Duration;

use chrono::{DateTime, Utc};
use ctrlhub::{KnownCreate, Settled, UnknownCreate, Unsettled};
use ctrlhub_fake::{FakeCtrlHub, Fault};
use serde_json::json;
use uuid::Uuid;

use crate::common::{client_for, seed_interaction};

/// A known create (a control) and the server's time before the next send.
async fn control(client: &ctrlhub::Client) -> (KnownCreate, DateTime<Utc>) {
    let new = seed_interaction("a control: created, and known to be");
    let created = client.interactions().create(new.clone()).await.unwrap();
    let now = client.latest_server_date().unwrap();
    (
        KnownCreate {
            id: created.id,
            new,
        },
        now,
    )
}

/// Sends `notes` with the next request faulted by `fault`; the create's outcome is
/// unknown. The row as settling takes it, sent at `sent_after` by the server's clock.
async fn unknown(
    client: &ctrlhub::Client,
    fake: &FakeCtrlHub,
    notes: &str,
    fault: Fault,
    sent_after: DateTime<Utc>,
) -> UnknownCreate {
    fake.push_fault(fault);
    let new = seed_interaction(notes);
    let error = client.interactions().create(new.clone()).await.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    UnknownCreate {
        new,
        first_sent_after: sent_after,
        last_sent_after: sent_after,
    }
}

/// A row whose last attempt was long enough ago for any request to have ended.
fn long_ago(mut row: UnknownCreate) -> UnknownCreate {
    row.last_sent_after -= chrono::Duration::minutes(5);
    row
}

/// Settles `rows` against `controls`.
async fn settle(
    client: &ctrlhub::Client,
    rows: Vec<UnknownCreate>,
    controls: Vec<KnownCreate>,
) -> Vec<Settled> {
    client
        .interactions()
        .settle(rows)
        .controls(controls)
        .send()
        .await
        .unwrap()
}

fn stored_with_notes(fake: &FakeCtrlHub, notes: &str) -> Vec<String> {
    fake.interactions()
        .iter()
        .filter(|i| i["attributes"]["notes"] == notes)
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_stored_before_its_answer_was_lost_is_found_created() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let (known, before) = control(&client).await;
    // Stored 2.5 s after the send, then answered 502.
    fake.set_create_delay(Duration::from_millis(2500));
    let row = unknown(
        &client,
        &fake,
        "stored, answer lost",
        Fault::AfterServing(Box::new(Fault::status(502))),
        before,
    )
    .await;
    let stored = stored_with_notes(&fake, "stored, answer lost");
    assert_eq!(stored.len(), 1);

    let settled = settle(&client, vec![row], vec![known]).await;
    let [Settled::Created(found)] = settled.as_slice() else {
        panic!("expected Created, got {settled:?}")
    };
    assert_eq!(found.id.to_string(), stored[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_refused_before_storing_is_not_stored_once_a_timeout_has_passed() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    client.interactions().list().page().await.unwrap();
    let before = client.latest_server_date().unwrap();
    let row = unknown(&client, &fake, "never stored", Fault::status(503), before).await;
    assert!(stored_with_notes(&fake, "never stored").is_empty());
    // Created after the row's attempt: the list is shown to be current that far.
    let (known, _) = control(&client).await;

    // Just sent: the request could still be processed.
    let settled = settle(&client, vec![row.clone()], vec![known.clone()]).await;
    assert!(
        matches!(settled.as_slice(), [Settled::Unknown(Unsettled::TooSoon)]),
        "{settled:?}"
    );

    // A control older than the row's first send does not show the list is current.
    let mut later = long_ago(row.clone());
    later.first_sent_after += chrono::Duration::minutes(1);
    let settled = settle(&client, vec![later], vec![known.clone()]).await;
    assert!(
        matches!(
            settled.as_slice(),
            [Settled::Unknown(Unsettled::NoRecentControl)]
        ),
        "{settled:?}"
    );

    let settled = settle(&client, vec![long_ago(row)], vec![known]).await;
    assert!(
        matches!(settled.as_slice(), [Settled::NotStored]),
        "{settled:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identical_interaction_that_existed_before_is_never_claimed() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let (known, before) = control(&client).await;
    // The same interaction, recorded by someone else an hour ago.
    let mut earlier = fake.interactions()[0].clone();
    let hour_ago = (Utc::now() - chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    earlier["id"] = json!(Uuid::new_v4());
    earlier["attributes"]["notes"] = json!("the same call");
    earlier["meta"]["created_at"] = json!(hour_ago);
    fake.insert_interaction(earlier.clone());

    let not_stored = unknown(&client, &fake, "the same call", Fault::status(503), before).await;
    let settled = settle(
        &client,
        vec![long_ago(not_stored.clone())],
        vec![known.clone()],
    )
    .await;
    assert!(
        matches!(settled.as_slice(), [Settled::NotStored]),
        "{settled:?}"
    );

    // Now stored (late): the new one is claimed, never the one from an hour ago.
    fake.set_create_delay(Duration::from_millis(2500));
    let stored = unknown(
        &client,
        &fake,
        "the same call",
        Fault::AfterServing(Box::new(Fault::status(502))),
        client.latest_server_date().unwrap(),
    )
    .await;
    let settled = settle(&client, vec![stored], vec![known]).await;
    let [Settled::Created(found)] = settled.as_slice() else {
        panic!("expected Created, got {settled:?}")
    };
    assert_ne!(found.id.to_string(), earlier["id"].as_str().unwrap());
    assert_eq!(stored_with_notes(&fake, "the same call").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lagging_list_leaves_rows_unknown_rather_than_not_stored() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let (known, before) = control(&client).await;
    let row = unknown(&client, &fake, "never stored", Fault::status(503), before).await;
    fake.set_list_lag(Duration::from_secs(3600));
    let id = known.id;
    let settled = settle(&client, vec![long_ago(row)], vec![known]).await;
    assert!(
        matches!(settled.as_slice(), [Settled::Unknown(Unsettled::ListLags { id: missing })] if *missing == id),
        "{settled:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_control_nothing_is_called_not_stored() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    client.interactions().list().page().await.unwrap();
    let before = client.latest_server_date().unwrap();
    let row = unknown(&client, &fake, "never stored", Fault::status(503), before).await;
    let settled = settle(&client, vec![long_ago(row)], Vec::new()).await;
    assert!(
        matches!(settled.as_slice(), [Settled::Unknown(Unsettled::NoControl)]),
        "{settled:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_match_too_close_to_the_send_or_matched_twice_stays_unknown() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let (known, before) = control(&client).await;
    // Stored at once, answer lost: created within the second of the send.
    let close = unknown(
        &client,
        &fake,
        "stored at once",
        Fault::AfterServing(Box::new(Fault::status(502))),
        before,
    )
    .await;
    let settled = settle(&client, vec![close], vec![known.clone()]).await;
    let id = stored_with_notes(&fake, "stored at once")[0].clone();
    assert!(
        matches!(settled.as_slice(), [Settled::Unknown(Unsettled::TooClose { id: found })] if found.to_string() == id),
        "{settled:?}"
    );

    // Two identical rows, one of them stored late: the one match is claimed by both.
    fake.set_create_delay(Duration::from_millis(2500));
    let first = unknown(
        &client,
        &fake,
        "twice in the file",
        Fault::AfterServing(Box::new(Fault::status(502))),
        before,
    )
    .await;
    let second = long_ago(first.clone());
    let settled = settle(&client, vec![first, second], vec![known]).await;
    assert!(
        settled
            .iter()
            .all(|s| matches!(s, Settled::Unknown(Unsettled::Claimed { .. }))),
        "{settled:?}"
    );
}

/// An httpmock server whose interactions list answers `items`, with `sort_options` as its
/// `meta.features`, on the server's clock at 10:00:00 on 2026-12-01.
async fn list_server(items: Vec<serde_json::Value>, sort_options: &[&str]) -> httpmock::MockServer {
    let server = httpmock::MockServer::start_async().await;
    let org = crate::common::ORG;
    let count = items.len();
    let options = json!(sort_options);
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path(format!("/v3/orgs/{org}/customers/interactions"));
            then.status(200)
                .header("content-type", crate::common::JSON_API)
                .header("date", "Tue, 01 Dec 2026 10:00:00 GMT")
                .json_body(json!({
                    "data": items,
                    "meta": {
                        "pagination": {
                            "counts": {"pages": 1, "resources": count},
                            "current_page": 1,
                            "offsets": {"next": null, "previous": null},
                            "requested": {"limit": 100, "offset": 0}
                        },
                        "features": {"params": {"sort": {"options": options}}}
                    }
                }));
        })
        .await;
    server
}

/// A row sent at `at` (RFC 3339), long enough before the mock's clock.
fn row_sent_at(at: &str) -> UnknownCreate {
    let at = DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&Utc);
    UnknownCreate {
        new: seed_interaction("x"),
        first_sent_after: at,
        last_sent_after: at,
    }
}

#[tokio::test]
async fn a_list_that_does_not_sort_on_created_at_says_so() {
    let server = list_server(Vec::new(), &["date_time"]).await;
    let client = crate::common::client(&server.base_url());
    let settled = settle(
        &client,
        vec![row_sent_at("2026-12-01T09:00:00Z")],
        Vec::new(),
    )
    .await;
    assert!(
        matches!(
            settled.as_slice(),
            [Settled::Unknown(Unsettled::NoCreatedAtOrder)]
        ),
        "{settled:?}"
    );
}

#[tokio::test]
async fn a_list_that_ignores_the_created_at_order_says_so() {
    let item = |id: u128, created_at: &str| {
        let mut item = crate::common::seed_response()["data"].clone();
        item["id"] = json!(Uuid::from_u128(id));
        item["meta"]["created_at"] = json!(created_at);
        item
    };
    let items = vec![
        item(1, "2026-12-01T09:00:00Z"),
        item(2, "2026-12-01T08:00:00Z"),
    ];
    let server = list_server(items, &["created_at"]).await;
    let client = crate::common::client(&server.base_url());
    let settled = settle(
        &client,
        vec![row_sent_at("2026-12-01T07:00:00Z")],
        Vec::new(),
    )
    .await;
    assert!(
        matches!(
            settled.as_slice(),
            [Settled::Unknown(Unsettled::NoCreatedAtOrder)]
        ),
        "{settled:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identical_interaction_another_row_created_is_never_taken_for_this_one() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    client.interactions().list().page().await.unwrap();
    let before = client.latest_server_date().unwrap();
    // Row A of the file was created late; its identical twin B met a 503 before storing.
    fake.set_create_delay(Duration::from_millis(2500));
    let twin = client
        .interactions()
        .create(seed_interaction("twice in the file"))
        .await
        .unwrap();
    fake.set_create_delay(Duration::ZERO);
    let row = unknown(
        &client,
        &fake,
        "twice in the file",
        Fault::status(503),
        before,
    )
    .await;
    let (known, _) = control(&client).await;
    let settled = client
        .interactions()
        .settle(vec![long_ago(row)])
        .controls(vec![known])
        .claimed(vec![twin.id])
        .send()
        .await
        .unwrap();
    assert!(
        matches!(settled.as_slice(), [Settled::NotStored]),
        "{settled:?}"
    );
}
