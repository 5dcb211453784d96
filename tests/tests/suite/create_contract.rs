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
