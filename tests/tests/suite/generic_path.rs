//! The generic path: operations of the generated client sent through `Client::call` and
//! streamed through `Client::paginate`, with no typed wrapper involved.

use ctrlhub::{Error, RetryPolicy};
use ctrlhub_fake::FakeCtrlHub;
use futures::StreamExt;
use httpmock::Method::{GET, PATCH, POST};
use httpmock::MockServer;
use serde_json::json;

use crate::common::*;

const ITEM: &str = "00000000-0000-4000-8000-000000000001";

fn seed_body() -> ctrlhub::generated::types::NewInteractionDocument {
    serde_json::from_value(seed_request_with_real_values("generic")).unwrap()
}

/// Every interaction, through the generic stream over the list operation.
fn every_interaction(
    client: &ctrlhub::Client,
) -> ctrlhub::ListStream<ctrlhub::generated::types::InteractionResource> {
    let org = client.organisation_id();
    client.paginate(move |raw, offset| async move {
        raw.list_customer_interactions()
            .org_id(org)
            .offset(offset)
            .send()
            .await
    })
}

fn no_retries(base_url: &str) -> ctrlhub::Client {
    ctrlhub::Client::builder()
        .base_url(base_url)
        .organisation_id(ORG)
        .session_token(TOKEN)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_get_through_the_generic_path_sends_credentials_and_returns_the_typed_answer() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{}/{ITEM}", create_path()))
                .query_param("include", "contact")
                .header("x-session-token", TOKEN)
                .header("accept", JSON_API);
            then.status(200)
                .header("content-type", JSON_API)
                .header("x-trace-id", "trace-ok")
                .json_body(json!({"data": {"id": ITEM, "type": "customer-interactions",
                                           "attributes": {"notes": "through call"}}}));
        })
        .await;
    let client = client(&server.base_url());
    let org = client.organisation_id();
    let answer = client
        .call(|raw| async move {
            raw.get_customer_interaction()
                .org_id(org)
                .customer_interaction_id(ITEM.parse::<uuid::Uuid>().unwrap())
                .include("contact")
                .send()
                .await
        })
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-trace-id"], "trace-ok");
    let document = answer.into_inner();
    assert_eq!(document.data.id.to_string(), ITEM);
    assert_eq!(
        document.data.attributes.unwrap().notes.as_deref(),
        Some("through call")
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn an_error_document_becomes_the_typed_error_with_trace_id_and_retry_after() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(create_path());
            then.status(429)
                .header("content-type", JSON_API)
                .header("x-trace-id", "trace-429")
                .header("retry-after", "7")
                .json_body(json!({"errors": [{"status": "429", "title": "Slow down",
                                              "detail": "too many requests"}]}));
        })
        .await;
    let client = no_retries(&server.base_url());
    let org = client.organisation_id();
    let error = client
        .call(|raw| async move { raw.list_customer_interactions().org_id(org).send().await })
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}");
    };
    assert_eq!(api.status, 429);
    assert_eq!(api.errors[0].title.as_deref(), Some("Slow down"));
    assert_eq!(api.errors[0].detail.as_deref(), Some("too many requests"));
    assert_eq!(api.trace_id.as_deref(), Some("trace-429"));
    assert_eq!(api.retry_after, Some(std::time::Duration::from_secs(7)));
    assert!(!error.is_outcome_unknown(), "a GET changes nothing");
}

#[tokio::test]
async fn a_post_through_the_generic_path_is_sent_once_and_its_5xx_outcome_is_unknown() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path(create_path());
            then.status(503).header("x-trace-id", "trace-503");
        })
        .await;
    // Retries are on (the default policy): a POST must still be sent once.
    let client = client(&server.base_url());
    let org = client.organisation_id();
    let body = seed_body();
    let error = client
        .call(|raw| async move {
            raw.create_customer_interaction()
                .org_id(org)
                .body(body)
                .send()
                .await
        })
        .await
        .unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.trace_id(), Some("trace-503"));
    assert_eq!(create.calls_async().await, 1);
}

#[tokio::test]
async fn the_outcome_rule_follows_the_method_sent_not_the_operation() {
    // The same 503 to a PATCH: repeatable, so retried, and never "outcome unknown".
    let server = MockServer::start_async().await;
    let relink = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("{}/{ITEM}/relationships/contact", create_path()));
            then.status(503);
        })
        .await;
    let client = ctrlhub::Client::builder()
        .base_url(server.base_url())
        .organisation_id(ORG)
        .session_token(TOKEN)
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(2)
                .initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let org = client.organisation_id();
    let body: ctrlhub::generated::types::RelationshipDocument =
        serde_json::from_value(json!({"data": {"type": "contacts", "id": SEED_ID}})).unwrap();
    let error = client
        .call(|raw| async move {
            raw.set_customer_interaction_contact()
                .org_id(org)
                .customer_interaction_id(ITEM.parse::<uuid::Uuid>().unwrap())
                .body(body)
                .send()
                .await
        })
        .await
        .unwrap_err();
    assert!(!error.is_outcome_unknown(), "{error:?}");
    let Error::Api(api) = error else {
        panic!("expected Error::Api");
    };
    assert_eq!((api.status.as_u16(), api.attempts), (503, 2));
    assert_eq!(relink.calls_async().await, 2);
}

#[tokio::test]
async fn an_incomplete_operation_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let client = client(&server.base_url());
    // `org_id` is never set: progenitor refuses the request, nothing is sent.
    let error = client
        .call(|raw| async move { raw.list_customer_interactions().send().await })
        .await
        .unwrap_err();
    let Error::InvalidInput(input) = error else {
        panic!("expected InvalidInput, got {error:?}");
    };
    assert_eq!(input.field, "request");
    assert!(input.reason.contains("org_id"), "{}", input.reason);
    assert_eq!(anything.calls_async().await, 0);
}

#[tokio::test]
async fn a_list_operation_streams_every_page_from_a_spawned_task() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(25);
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .unwrap();
    let org = client.organisation_id();
    let stream = client.paginate(move |raw, offset| async move {
        raw.list_customer_interactions()
            .org_id(org)
            .limit(10u32)
            .offset(offset)
            .send()
            .await
    });
    drop(client);
    // The stream owns what it needs: it outlives the client and runs on another task.
    let ids = tokio::spawn(async move {
        stream
            .map(|item| item.unwrap().id)
            .collect::<Vec<_>>()
            .await
    })
    .await
    .unwrap();
    let stored: Vec<uuid::Uuid> = fake
        .interactions()
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(stored.len(), 25);
    assert_eq!(ids, stored);
    let queries: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "limit=10&offset=0",
            "limit=10&offset=10",
            "limit=10&offset=20"
        ]
    );
}

#[tokio::test]
async fn the_generic_stream_has_the_same_loop_guard() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(create_path())
                .query_param("offset", "0");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({
                    "data": [{"id": ITEM, "type": "customer-interactions"}],
                    "meta": {"pagination": {"offsets": {"next": 0, "previous": null}}}
                }));
        })
        .await;
    let client = client(&server.base_url());
    let results: Vec<_> = every_interaction(&client).collect().await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id.to_string(), ITEM);
    let Err(Error::Decode(decode)) = &results[1] else {
        panic!("expected a decode error, got {:?}", results[1]);
    };
    assert!(
        decode
            .reason
            .contains("names offset 0 as the next page, which does not move forward"),
        "{}",
        decode.reason
    );
    assert_eq!(page.calls_async().await, 1);
}

#[tokio::test]
async fn a_failed_page_ends_the_generic_stream_with_the_typed_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(create_path());
            then.status(500).header("x-trace-id", "trace-500");
        })
        .await;
    let client = no_retries(&server.base_url());
    let results: Vec<_> = every_interaction(&client).collect().await;
    assert_eq!(results.len(), 1);
    let Err(error) = &results[0] else {
        panic!("expected an error");
    };
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.trace_id(), Some("trace-500"));
    assert!(!error.is_outcome_unknown());
}

#[tokio::test]
async fn the_client_keeps_the_latest_date_ctrl_hub_answered_with_whatever_the_order() {
    let server = MockServer::start_async().await;
    let client = client(&server.base_url());
    assert_eq!(client.latest_server_date(), None, "before any answer");
    let dated = [
        (
            "00000000-0000-4000-8000-000000000001",
            "Tue, 01 Dec 2026 10:00:05 GMT",
        ),
        (
            "00000000-0000-4000-8000-000000000002",
            "Tue, 01 Dec 2026 10:00:01 GMT",
        ),
        ("00000000-0000-4000-8000-000000000003", "not a date"),
    ];
    for (id, date) in dated {
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/v3/orgs/{ORG}/customers/interactions/{id}"));
                then.status(404)
                    .header("content-type", JSON_API)
                    .header("date", date)
                    .json_body(json!({"errors": [{"status": "404", "title": "Not Found"}]}));
            })
            .await;
    }
    let expected: chrono::DateTime<chrono::Utc> = "2026-12-01T10:00:05Z".parse().unwrap();
    for (id, _) in dated {
        // An error answer's date counts too: it is Ctrl Hub's clock all the same.
        let error = client.interactions().get(id).send().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
        assert_eq!(client.latest_server_date(), Some(expected), "after {id}");
    }
    // Clones share it.
    assert_eq!(client.clone().latest_server_date(), Some(expected));
}

#[test]
fn the_types_of_the_public_api_are_named_through_the_crate() {
    // A user writes these without depending on chrono, uuid or reqwest themselves.
    let id: ctrlhub::uuid::Uuid = ctrlhub::uuid::Uuid::nil();
    let at: ctrlhub::chrono::DateTime<ctrlhub::chrono::Utc> = ctrlhub::chrono::DateTime::UNIX_EPOCH;
    let status: ctrlhub::StatusCode = ctrlhub::StatusCode::NOT_FOUND;
    let new = ctrlhub::NewInteraction::new().date_time(at).contact(id);
    assert_eq!(status.as_u16(), 404);
    assert_eq!(
        format!("{new:?}"),
        format!(
            "{:?}",
            ctrlhub::NewInteraction::new().date_time(at).contact(id)
        )
    );
}
