//! The create request and response are exactly those of the seed document.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use ctrlhub::mock::MockServerExt;
use ctrlhub::{InteractionDirection, InteractionMethod, InteractionStatus};
use httpmock::{Method::POST, MockServer};
use uuid::Uuid;

use crate::common::*;

const NOTES: &str = "Customer asked to move the boiler service to Friday";

#[tokio::test]
async fn create_sends_the_documented_request_and_nothing_else() {
    let server = MockServer::start_async().await;
    let seen_headers = Arc::new(Mutex::new(Vec::new()));
    let capture = seen_headers.clone();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(create_path())
                .header("content-type", JSON_API)
                .header("accept", JSON_API)
                .header("x-session-token", TOKEN)
                .json_body(seed_request_with_real_values(NOTES))
                .is_true(move |request| {
                    *capture.lock().unwrap() = request.headers_vec().clone();
                    true
                });
            then.status(201)
                .header("content-type", JSON_API)
                .json_body(seed_response());
        })
        .await;

    client(&server.base_url())
        .interactions()
        .create(seed_interaction(NOTES))
        .await
        .expect("the documented request is answered");

    mock.assert_async().await;
    let names: BTreeSet<String> = seen_headers
        .lock()
        .unwrap()
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    let expected: BTreeSet<String> = [
        "accept",
        "content-length",
        "content-type",
        "host",
        "user-agent",
        "x-session-token",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(
        names, expected,
        "only documented and transport headers are sent"
    );
}

#[tokio::test]
async fn the_documented_response_decodes_with_every_field() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(create_path());
            then.status(201)
                .header("content-type", JSON_API)
                .json_body(seed_response());
        })
        .await;

    let created = client(&server.base_url())
        .interactions()
        .create(seed_interaction(NOTES))
        .await
        .unwrap();

    let seed_id: Uuid = SEED_ID.parse().unwrap();
    let at: DateTime<Utc> = "2023-11-07T05:31:56Z".parse().unwrap();
    assert_eq!(created.id, seed_id);
    assert_eq!(created.method, Some(InteractionMethod::Email));
    assert_eq!(created.direction, Some(InteractionDirection::Inbound));
    assert_eq!(created.date_time, Some(at));
    assert_eq!(created.contacted, Some(true));
    assert_eq!(created.status, Some(InteractionStatus::Scheduled));
    assert_eq!(created.notes.as_deref(), Some("<string>"));
    assert_eq!(created.created_at, Some(at));
    assert_eq!(created.updated_at, Some(at));
    assert_eq!(created.modified_at, Some(at));
    assert_eq!(created.author, Some(seed_id));
    assert_eq!(created.organisation, Some(seed_id));
    assert_eq!(created.representative, Some(seed_id));
    assert_eq!(created.account, Some(seed_id));
    assert_eq!(created.contact, Some(seed_id));
    assert_eq!(created.property, Some(seed_id));
}

#[tokio::test]
async fn each_field_of_the_response_lands_in_its_own_place() {
    // The seed uses one id and one time everywhere; distinct values catch a swap.
    let ids: Vec<String> = (1..=7)
        .map(|n| format!("00000000-0000-4000-8000-00000000000{n}"))
        .collect();
    let mut body = seed_response();
    body["data"]["id"] = ids[0].clone().into();
    let names = [
        "author",
        "organisation",
        "representative",
        "account",
        "contact",
        "property",
    ];
    for (i, name) in names.iter().enumerate() {
        body["data"]["relationships"][name]["data"]["id"] = ids[i + 1].clone().into();
    }
    body["data"]["attributes"]["date_time"] = "2023-11-07T05:31:00Z".into();
    body["data"]["meta"]["created_at"] = "2023-11-07T05:32:00Z".into();
    body["data"]["meta"]["updated_at"] = "2023-11-07T05:33:00+01:00".into();
    body["data"]["meta"]["modified_at"] = "2023-11-07T05:34:00Z".into();
    body["data"]["attributes"]["method"] = "letter".into();
    body["data"]["attributes"]["direction"] = "outbound".into();
    body["data"]["attributes"]["contacted"] = false.into();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(create_path());
            then.status(201)
                .header("content-type", JSON_API)
                .json_body(body);
        })
        .await;
    let created = client(&server.base_url())
        .interactions()
        .create(seed_interaction(NOTES))
        .await
        .unwrap();
    let id = |i: usize| Some(ids[i].parse::<Uuid>().unwrap());
    assert_eq!(Some(created.id), id(0));
    assert_eq!(created.author, id(1));
    assert_eq!(created.organisation, id(2));
    assert_eq!(created.representative, id(3));
    assert_eq!(created.account, id(4));
    assert_eq!(created.contact, id(5));
    assert_eq!(created.property, id(6));
    let at = |text: &str| Some(text.parse::<DateTime<Utc>>().unwrap());
    assert_eq!(created.date_time, at("2023-11-07T05:31:00Z"));
    assert_eq!(created.created_at, at("2023-11-07T05:32:00Z"));
    assert_eq!(
        created.updated_at,
        at("2023-11-07T04:33:00Z"),
        "offsets become UTC"
    );
    assert_eq!(created.modified_at, at("2023-11-07T05:34:00Z"));
    assert_eq!(created.method, Some(InteractionMethod::Letter));
    assert_eq!(created.direction, Some(InteractionDirection::Outbound));
    assert_eq!(created.contacted, Some(false));
}

/// progenitor's generated httpmock helpers (`ctrlhub::mock`, feature `mock`) describe the
/// same request from the spec's types. They are synchronous, so they run in
/// `block_in_place` on a multi-threaded runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_generated_typed_mock_helpers_match_the_same_request() {
    let server = MockServer::start_async().await;
    let body: ctrlhub::generated::types::NewInteractionDocument =
        serde_json::from_value(seed_request_with_real_values(NOTES)).unwrap();
    let answer: ctrlhub::generated::types::InteractionDocument =
        serde_json::from_value(seed_response()).unwrap();
    let org: Uuid = ORG.parse().unwrap();
    let mock = tokio::task::block_in_place(|| {
        server.create_customer_interaction(|when, then| {
            when.org_id(&org).body(&body);
            then.created(&answer);
        })
    });
    let created = client(&server.base_url())
        .interactions()
        .create(seed_interaction(NOTES))
        .await
        .unwrap();
    assert_eq!(created.id, SEED_ID.parse::<Uuid>().unwrap());
    mock.assert_async().await;
}

#[tokio::test]
async fn date_time_goes_out_at_whole_seconds_and_comes_back_equal() {
    let fake = ctrlhub_fake::FakeCtrlHub::start().await.unwrap();
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-28T06:01:16.750417185Z").unwrap();
    let created = client
        .interactions()
        .create(
            ctrlhub::NewInteraction::new()
                .method(ctrlhub::InteractionMethod::Sms)
                .direction(ctrlhub::InteractionDirection::Inbound)
                .date_time(at),
        )
        .send()
        .await
        .unwrap();
    let sent = fake.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        sent["data"]["attributes"]["date_time"],
        "2026-11-28T06:01:16Z"
    );
    let expected = chrono::DateTime::parse_from_rfc3339("2026-11-28T06:01:16Z").unwrap();
    assert_eq!(
        created.date_time,
        Some(expected.with_timezone(&chrono::Utc))
    );

    let updated = client
        .interactions()
        .update(created.id, ctrlhub::InteractionChanges::new().date_time(at))
        .send()
        .await
        .unwrap();
    let sent = fake.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        sent["data"]["attributes"]["date_time"],
        "2026-11-28T06:01:16Z"
    );
    assert_eq!(updated.date_time, created.date_time);
}
