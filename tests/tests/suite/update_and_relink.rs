//! Updating an interaction (read-then-write, or only the fields set) and re-pointing
//! its relationships, against httpmock.

use ctrlhub::{Error, InteractionChanges};
use httpmock::Method::{GET, PATCH, PUT};
use httpmock::MockServer;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;
use crate::interaction_mocks::*;

#[tokio::test]
async fn update_that_may_clear_unmentioned_fields_sends_only_the_fields_set() {
    let server = MockServer::start_async().await;
    let mut answer = resource(3);
    answer["attributes"]["contacted"] = json!(true);
    answer["attributes"]["notes"] = json!("Reached on the second attempt");
    answer["attributes"]["revision"] = json!(4);
    answer["meta"] = json!({"updated_at": "2026-01-05T09:00:00Z", "etag": "w/1"});
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(item_path(3))
                .header("content-type", JSON_API)
                .json_body(json!({"data": {
                    "id": id(3),
                    "type": "customer-interactions",
                    "attributes": {"contacted": true, "notes": "Reached on the second attempt"}
                }}));
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({"data": answer}));
        })
        .await;
    let updated = client(&server.base_url())
        .interactions()
        .update_may_clear_unmentioned(
            id(3).as_str(),
            InteractionChanges::new()
                .contacted(true)
                .notes("Reached on the second attempt"),
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(updated.contacted, Some(true));
    assert_eq!(
        updated.notes.as_deref(),
        Some("Reached on the second attempt")
    );
}

#[tokio::test]
async fn update_reads_first_and_sends_every_updatable_field() {
    let server = MockServer::start_async().await;
    let current = json!({"id": id(3), "type": "customer-interactions", "attributes": {
        "method": "email", "date_time": "2026-01-05T09:00:00Z", "contacted": false,
        "notes": "Left a voicemail"}});
    let read = server
        .mock_async(|when, then| {
            when.method(GET).path(item_path(3));
            then.status(200).json_body(json!({"data": current}));
        })
        .await;
    let write = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(item_path(3))
                .json_body(json!({"data": {
                    "id": id(3),
                    "type": "customer-interactions",
                    "attributes": {"date_time": "2026-01-05T09:00:00Z", "contacted": true,
                                   "notes": "Left a voicemail"}
                }}));
            then.status(200).json_body(json!({"data": current}));
        })
        .await;
    client(&server.base_url())
        .interactions()
        .update(id(3).as_str(), InteractionChanges::new().contacted(true))
        .send()
        .await
        .unwrap();
    read.assert_async().await;
    write.assert_async().await;
}

#[tokio::test]
async fn each_relink_patches_its_relationship_with_one_identifier() {
    let server = MockServer::start_async().await;
    let target = "55555555-5555-4555-8555-555555555555";
    let mut mocks = Vec::new();
    for (name, type_, status) in [
        ("contact", "contacts", 204),
        ("account", "customer-accounts", 200),
        ("representative", "users", 200),
    ] {
        let mock = server
            .mock_async(move |when, then| {
                when.method(PATCH)
                    .path(format!("{}/relationships/{name}", item_path(9)))
                    .header("content-type", JSON_API)
                    .json_body(json!({"data": {"type": type_, "id": target}}));
                let then = then.status(status);
                if status == 200 {
                    then.header("content-type", JSON_API).json_body(json!({
                        "data": {"type": type_, "id": target, "meta": {"linked": true}},
                        "links": {"self": "/relationships"},
                        "jsonapi": {"version": "1.0"}
                    }));
                }
            })
            .await;
        mocks.push(mock);
    }
    let client = client(&server.base_url());
    let interactions = client.interactions();
    let target: Uuid = target.parse().unwrap();
    interactions
        .set_contact(id(9).as_str(), target)
        .await
        .expect("204 is success");
    interactions
        .set_account(id(9).as_str(), target)
        .await
        .expect("200 is success");
    interactions
        .set_representative(id(9).as_str(), target)
        .await
        .expect("200 is success");
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_relink_answered_200_with_an_empty_body_is_success() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH);
            then.status(200).header("content-type", JSON_API);
        })
        .await;
    client(&server.base_url())
        .interactions()
        .set_account(id(9).as_str(), SEED_ID)
        .await
        .expect("an empty 200 is as good as a 204");
    mock.assert_async().await;
}

#[tokio::test]
async fn a_relink_refused_by_the_api_is_an_api_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PATCH);
            then.status(404)
                .header("content-type", JSON_API)
                .json_body(json!({
                    "errors": [{"status": "404", "title": "Not found"}]
                }));
        })
        .await;
    let error = client(&server.base_url())
        .interactions()
        .set_contact(id(9).as_str(), SEED_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status.as_u16() == 404),
        "{error:?}"
    );
}
