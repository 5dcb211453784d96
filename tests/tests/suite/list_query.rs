//! A list's query string: exactly the documented convention, and bad settings refused
//! before anything is sent.

use std::sync::{Arc, Mutex};

use ctrlhub::{Error, InteractionChanges, InteractionRelated, SortDirection};
use futures::StreamExt;
use httpmock::Method::GET;
use httpmock::MockServer;

use crate::common::*;
use crate::interaction_mocks::*;

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

mod features {
    use ctrlhub::Error;
    use ctrlhub_fake::FakeCtrlHub;
    use futures::StreamExt;

    use crate::common::client_for;

    #[tokio::test]
    async fn a_misspelt_filter_is_refused_by_the_client_when_the_server_ignores_it() {
        let fake = FakeCtrlHub::start().await.unwrap();
        fake.seed_interactions(5);
        fake.ignore_unsupported_options(true);
        let client = client_for(&fake);
        let list = client.interactions().list().filter("methd", "email");
        match list.page().await {
            Err(Error::Unsupported(e)) => {
                assert_eq!((e.parameter, e.option.as_str()), ("filter", "methd"));
                assert!(
                    e.supported.contains(&"method".to_owned()),
                    "{:?}",
                    e.supported
                );
                let text = e.to_string();
                assert!(text.contains("does not support filter `methd`"), "{text}");
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
        // A stream checks before yielding anything: the error, and no item.
        let items: Vec<_> = client
            .interactions()
            .list()
            .filter("methd", "email")
            .stream()
            .collect()
            .await;
        assert!(
            matches!(items.first(), Some(Err(Error::Unsupported(_)))),
            "{items:?}"
        );
        assert!(items.iter().all(Result::is_err), "no item as if filtered");
        // A misspelt sort too, matched without its `-`.
        let sorted = client
            .interactions()
            .list()
            .sort("date_tme", ctrlhub::SortDirection::Descending)
            .page()
            .await;
        assert!(
            matches!(&sorted, Err(Error::Unsupported(e)) if e.option == "date_tme"),
            "{sorted:?}"
        );
        // Opted out: the lax server's answer, unfiltered.
        let page = client
            .interactions()
            .list()
            .filter("methd", "email")
            .unchecked_params()
            .page()
            .await
            .unwrap();
        assert_eq!(page.items.len(), 5);
        // A supported filter passes the check.
        let email = client
            .interactions()
            .list()
            .filter("method", "email")
            .page()
            .await
            .unwrap();
        assert!(
            email
                .items
                .iter()
                .all(|i| i.method.as_ref().is_some_and(|m| m.as_str() == "email"))
        );
    }

    #[tokio::test]
    async fn the_strict_fake_refuses_a_filter_outside_its_features_itself() {
        let fake = FakeCtrlHub::start().await.unwrap();
        let client = client_for(&fake);
        let error = client
            .contacts()
            .list()
            .filter("emial", "ada@example.com")
            .unchecked_params()
            .page()
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    }
}
