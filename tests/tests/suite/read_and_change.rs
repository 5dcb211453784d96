//! List (pages and stream), get with includes, update and relink, against httpmock.

use std::sync::{Arc, Mutex};

use ctrlhub::{Error, InteractionChanges, InteractionRelated, SortDirection};
use futures::StreamExt;
use httpmock::Method::{GET, PATCH, PUT};
use httpmock::MockServer;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::*;

fn id(n: u8) -> String {
    format!("00000000-0000-4000-8000-0000000000{n:02}")
}

fn resource(n: u8) -> Value {
    json!({
        "id": id(n),
        "type": "customer-interactions",
        "attributes": {"method": "email", "direction": "inbound", "notes": format!("item {n}")},
        "relationships": {"contact": {"data": {"type": "contacts", "id": SEED_ID}}}
    })
}

fn page(items: &[u8], offset: u64, next: Option<u64>) -> Value {
    json!({
        "data": items.iter().map(|n| resource(*n)).collect::<Vec<_>>(),
        "meta": {"pagination": {
            "counts": {"pages": 3, "resources": 5},
            "current_page": offset / 2 + 1,
            "offsets": {"next": next, "previous": null},
            "requested": {"limit": 2, "offset": offset}
        }},
        "jsonapi": {"version": "1.0"}
    })
}

fn list_path() -> String {
    create_path()
}

fn item_path(n: u8) -> String {
    format!("{}/{}", create_path(), id(n))
}

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
async fn the_query_string_is_exactly_the_documented_convention_percent_encoded() {
    let server = MockServer::start_async().await;
    let seen = Arc::new(Mutex::new(None));
    let capture = seen.clone();
    server
        .mock_async(move |when, then| {
            when.method(GET).path(list_path()).is_true(move |request| {
                *capture.lock().unwrap() = request.uri().query().map(str::to_owned);
                true
            });
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[], 0, None));
        })
        .await;
    let client = client(&server.base_url());
    client
        .interactions()
        .list()
        .limit(25)
        .offset(50)
        .sort("date_time", SortDirection::Descending)
        .filter("method", "email")
        .filter("notes", "a b&c=d[e] café")
        .include([
            InteractionRelated::Representative,
            InteractionRelated::Contact,
            InteractionRelated::Contact,
        ])
        .page()
        .await
        .unwrap();
    assert_eq!(
        seen.lock().unwrap().as_deref(),
        Some(
            "filter%5Bmethod%5D=email&filter%5Bnotes%5D=a+b%26c%3Dd%5Be%5D+caf%C3%A9\
             &include=contact%2Crepresentative&limit=25&offset=50&sort=-date_time"
        )
    );
}

#[tokio::test]
async fn the_server_decodes_the_query_to_the_documented_names_and_values() {
    // The same request seen through httpmock's decoded view of the query.
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(list_path())
                .query_param("filter[notes]", "a b&c=d[e] café")
                .query_param("filter[status]", "scheduled")
                .query_param("sort", "method")
                .query_param("include", "author");
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(page(&[], 0, None));
        })
        .await;
    client(&server.base_url())
        .interactions()
        .list()
        .filter("status", "scheduled")
        .filter("notes", "a b&c=d[e] café")
        .sort("method", SortDirection::Ascending)
        .include([InteractionRelated::Author])
        .page()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn bad_list_settings_are_refused_naming_them_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let client = client(&server.base_url());
    let field_of = |error: Error| match error {
        Error::InvalidInput(e) => e.field,
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    let list = client.interactions().list();
    assert_eq!(
        field_of(list.clone().limit(0).page().await.unwrap_err()),
        "limit"
    );
    assert_eq!(
        field_of(list.clone().filter("a]b", "x").page().await.unwrap_err()),
        "filter"
    );
    assert_eq!(
        field_of(
            list.clone()
                .sort("-date_time", SortDirection::Ascending)
                .page()
                .await
                .unwrap_err()
        ),
        "sort"
    );
    let from_stream: Vec<_> = list.limit(0).stream().collect().await;
    assert!(matches!(&from_stream[..], [Err(Error::InvalidInput(e))] if e.field == "limit"));
    assert_eq!(
        field_of(client.interactions().get("12").send().await.unwrap_err()),
        "id"
    );
    assert_eq!(
        field_of(
            client
                .interactions()
                .update(id(1).as_str(), InteractionChanges::new())
                .await
                .unwrap_err()
        ),
        "update"
    );
    assert_eq!(
        field_of(
            client
                .interactions()
                .set_contact(id(1).as_str(), "nope")
                .await
                .unwrap_err()
        ),
        "contact_id"
    );
    assert_eq!(anything.calls_async().await, 0);
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
async fn get_resolves_included_resources_and_reports_missing_ones_as_absent() {
    let server = MockServer::start_async().await;
    let contact = "11111111-1111-4111-8111-111111111111";
    let author = "22222222-2222-4222-8222-222222222222";
    let representative = "33333333-3333-4333-8333-333333333333";
    let account = "44444444-4444-4444-8444-444444444444";
    let mock =
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(item_path(7))
                    .query_param("include", "author,contact,representative");
                then.status(200).header("content-type", JSON_API).json_body(json!({
                "data": {
                    "id": id(7), "type": "customer-interactions",
                    "attributes": {"method": "sms", "channel_cost": 0.04},
                    "links": {"self": "/x"},
                    "relationships": {
                        "contact": {"data": {"type": "contacts", "id": contact}, "links": {}},
                        "team": {"data": null},
                        "author": {"data": {"type": "users", "id": author}},
                        "representative": {"data": {"type": "users", "id": representative}},
                        "account": {"data": {"type": "customer-accounts", "id": account}},
                        "property": {"data": null}
                    }
                },
                "included": [
                    {"type": "contacts", "id": contact,
                     "attributes": {"first_name": "Ada", "last_name": "Lovelace"}},
                    {"type": "users", "id": author, "attributes": {"email": "a@example.com"}},
                    // Same id as the contact but another type: must not be taken for it.
                    {"type": "properties", "id": contact, "attributes": {"postcode": "AB1 2CD"}}
                ]
            }));
            })
            .await;
    let client = client(&server.base_url());
    let details = client
        .interactions()
        .get(id(7).as_str())
        .include([
            InteractionRelated::Contact,
            InteractionRelated::Author,
            InteractionRelated::Representative,
        ])
        // Awaited directly: every single operation's builder is `IntoFuture`.
        .await
        .unwrap();
    mock.assert_async().await;

    assert_eq!(details.interaction.id.to_string(), id(7));
    let found = details
        .related(InteractionRelated::Contact)
        .expect("the contact was included");
    assert_eq!(found.type_, "contacts");
    assert_eq!(found.id.to_string(), contact);
    #[derive(serde::Deserialize)]
    struct Person {
        first_name: String,
        last_name: String,
    }
    let person: Person = found.attributes_as().unwrap();
    assert_eq!(
        (person.first_name.as_str(), person.last_name.as_str()),
        ("Ada", "Lovelace")
    );
    assert_eq!(
        details
            .related(InteractionRelated::Author)
            .unwrap()
            .attribute("email"),
        Some(&json!("a@example.com"))
    );
    assert!(
        details.representative().unwrap().is_none(),
        "linked but not included: absent"
    );
    assert!(
        details.account().unwrap().is_none(),
        "not requested: absent"
    );
    assert!(details.property().is_none(), "not linked: absent");
    assert!(details.organisation().is_none());
    assert_eq!(
        details.interaction.representative.unwrap().to_string(),
        representative
    );
    let wrong: Result<Person, _> = details
        .related(InteractionRelated::Author)
        .unwrap()
        .attributes_as();
    assert!(matches!(wrong, Err(Error::Decode(_))));
    // The same resources, typed.
    let typed = details.contact().unwrap().expect("typed contact");
    assert_eq!(typed.id.to_string(), contact);
    assert_eq!(
        (typed.first_name.as_deref(), typed.last_name.as_deref()),
        (Some("Ada"), Some("Lovelace"))
    );
    let author = details.author().unwrap().expect("typed author");
    assert_eq!(author.email.as_deref(), Some("a@example.com"));
}

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
