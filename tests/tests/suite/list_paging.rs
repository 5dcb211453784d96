//! Listing interactions against httpmock: pages and streams, their loop guards, and
//! answers that are partly wrong.

use ctrlhub::Error;
use futures::StreamExt;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

use crate::common::*;
use crate::interaction_mocks::*;

#[tokio::test]
async fn a_stream_over_three_pages_yields_every_item_once_in_order_then_stops() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("limit", "2")
                .query_param_missing("offset");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[1, 2], 0, Some(2)));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("limit", "2")
                .query_param("offset", "2");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[3, 4], 2, Some(4)));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("limit", "2")
                .query_param("offset", "4");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[5], 4, None));
        })
        .await;

    let client = client(&server.base_url());
    let stream = client.interactions().list().limit(2).stream();
    let ids: Vec<String> = stream
        .map(|item| item.expect("every page decodes").id.to_string())
        .collect()
        .await;

    assert_eq!(ids, (1..=5).map(id).collect::<Vec<_>>());
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_default_stream_fetches_each_page_once_and_nothing_past_the_last() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param_missing("offset");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[1, 2], 0, Some(2)));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("offset", "2");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[3], 2, None));
        })
        .await;
    let client = client(&server.base_url());
    let mut stream = client.interactions().list().stream();
    assert_eq!(stream.next().await.unwrap().unwrap().id.to_string(), id(1));
    assert_eq!(stream.next().await.unwrap().unwrap().id.to_string(), id(2));
    // The next page is fetched ahead of the reader (how far ahead is tested on a
    // scripted server in the crate's unit tests); each page still once.
    assert_eq!(stream.next().await.unwrap().unwrap().id.to_string(), id(3));
    assert!(stream.next().await.is_none());
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_empty_list_is_an_empty_page_and_an_empty_stream() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(list_path());
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({
                    "data": [],
                    "meta": {"pagination": {"counts": {"pages": 0, "resources": 0},
                             "offsets": {"next": null, "previous": null}}}
                }));
        })
        .await;
    let client = client(&server.base_url());
    let page = client.interactions().list().page().await.unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_offset(), None);
    assert_eq!(page.pagination.resources, Some(0));
    let all: Vec<_> = client.interactions().list().stream().collect().await;
    assert!(all.is_empty());
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_next_offset_that_does_not_advance_is_an_error_not_a_loop() {
    let server = MockServer::start_async().await;
    let stuck = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("offset", "2");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[3, 4], 2, Some(2)));
        })
        .await;
    let client = client(&server.base_url());
    let results: Vec<_> = client
        .interactions()
        .list()
        .offset(2)
        .stream()
        .collect()
        .await;
    assert_eq!(
        results.len(),
        3,
        "the page's two items, then one error, then the end"
    );
    assert_eq!(results[0].as_ref().unwrap().id.to_string(), id(3));
    assert_eq!(results[1].as_ref().unwrap().id.to_string(), id(4));
    let Err(Error::Decode(decode)) = &results[2] else {
        panic!("expected a Decode error, got {:?}", results[2])
    };
    assert!(
        decode
            .reason
            .contains("names offset 2 as the next page, which does not move forward"),
        "{}",
        decode.reason
    );
    stuck.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_empty_page_that_claims_a_next_page_is_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(list_path());
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[], 0, Some(10)));
        })
        .await;
    let client = client(&server.base_url());
    let results: Vec<_> = client.interactions().list().stream().collect().await;
    assert_eq!(results.len(), 1);
    assert!(
        matches!(&results[0], Err(Error::Decode(d)) if d.reason.contains("is empty but names offset 10"))
    );
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param_missing("offset");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[1], 0, Some(1)));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("offset", "1");
            then.status(500).header("x-trace-id", "trace-page-2");
        })
        .await;
    let client = client(&server.base_url());
    let results: Vec<_> = client.interactions().list().stream().collect().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let Err(error) = &results[1] else { panic!() };
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.trace_id(), Some("trace-page-2"));
}

#[tokio::test]
async fn unknown_enum_values_and_members_and_both_features_shapes_are_tolerated() {
    let server = MockServer::start_async().await;
    let mut item = resource(1);
    item["attributes"]["method"] = json!("carrier-pigeon");
    item["attributes"]["direction"] = json!("sideways");
    item["attributes"]["status"] = json!("escalated");
    item["attributes"]["mood"] = json!("cheerful");
    item["relationships"]["team"] = json!({"data": null});
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param_missing("offset");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({
                    "data": [item],
                    "meta": {
                        "pagination": {"offsets": {"next": 1, "previous": null}, "extra": true},
                        "features": {"include": {"options": ["author", "contact"]},
                                     "params": {"sort": {"options": null},
                                                "filter": {"options": ["method"]},
                                                "include": {"options": ["contact", "property"]}}},
                        "trace": {"region": "eu"}
                    },
                    "links": {"next": "?offset=1"}
                }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(list_path()).query_param("offset", "1");
            then.status(200).header("content-type", JSON_API).json_body(json!({
                "data": [resource(2)],
                "meta": {"pagination": {"offsets": {"next": null}}, "features": {"include": {"options": null}}}
            }));
        })
        .await;
    let client = client(&server.base_url());
    let first = client.interactions().list().page().await.unwrap();
    assert_eq!(first.features.include, ["contact", "property", "author"]);
    assert_eq!(first.features.filter, ["method"]);
    assert!(first.features.sort.is_empty());
    let item = &first.items[0];
    assert_eq!(item.method.as_ref().unwrap().as_str(), "carrier-pigeon");
    assert_eq!(item.direction.as_ref().unwrap().as_str(), "sideways");
    assert_eq!(item.status.as_ref().unwrap().as_str(), "escalated");
    let all: Vec<_> = client.interactions().list().stream().collect().await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(Result::is_ok));
}

#[tokio::test]
async fn one_malformed_item_is_one_error_and_the_rest_of_the_list_still_comes() {
    let server = MockServer::start_async().await;
    let mut first = page(&[1, 2], 0, Some(3));
    let items = first["data"].as_array_mut().unwrap();
    let mut bad = resource(9);
    bad["id"] = json!("not-a-uuid");
    items.insert(1, bad);
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param_missing("offset");
            then.status(200).json_body(first);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("offset", "3");
            then.status(200).json_body(page(&[4], 3, None));
        })
        .await;
    let client = client(&server.base_url());

    let one = client.interactions().list().page().await.unwrap();
    assert_eq!(one.items.len(), 2);
    assert_eq!(one.items[1].id.to_string(), id(2));
    assert_eq!(one.invalid.len(), 1);
    assert_eq!(one.invalid[0].position, 1);
    assert_eq!(one.invalid[0].id.as_deref(), Some("not-a-uuid"));
    assert!(
        one.invalid[0].reason.contains("UUID"),
        "{}",
        one.invalid[0].reason
    );

    let all: Vec<Result<ctrlhub::Interaction, Error>> =
        client.interactions().list().stream().collect().await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(all[0].as_ref().unwrap().id.to_string(), id(1));
    let Err(Error::Decode(decode)) = &all[1] else {
        panic!("expected the bad item's error, got {:?}", all[1]);
    };
    assert!(
        decode
            .reason
            .starts_with("item 1 of its page (id `not-a-uuid`) could not be decoded"),
        "{}",
        decode.reason
    );
    assert_eq!(all[2].as_ref().unwrap().id.to_string(), id(2));
    assert_eq!(
        all[3].as_ref().unwrap().id.to_string(),
        id(4),
        "the next page still comes"
    );
}

#[tokio::test]
async fn unreadable_pagination_still_ends_the_stream() {
    let server = MockServer::start_async().await;
    let mut broken = page(&[1], 0, None);
    broken["meta"]["pagination"]["offsets"]["next"] = json!("later");
    server
        .mock_async(|when, then| {
            when.method(GET).path(list_path());
            then.status(200).json_body(broken);
        })
        .await;
    let all: Vec<Result<ctrlhub::Interaction, Error>> = client(&server.base_url())
        .interactions()
        .list()
        .stream()
        .collect()
        .await;
    assert_eq!(all.len(), 1);
    let Err(Error::Decode(decode)) = &all[0] else {
        panic!("expected a decode error, got {:?}", all[0]);
    };
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(200));
}
