//! End to end against the fake Ctrl Hub.

use ctrlhub::{Error, InteractionDirection, InteractionMethod, NewInteraction};
use ctrlhub_fake::FakeCtrlHub;
use futures::StreamExt;
use uuid::Uuid;

use crate::common::client_for;

#[tokio::test]
async fn a_created_interaction_is_stored_with_its_links() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let contact = Uuid::new_v4();
    let new = NewInteraction::new()
        .method(InteractionMethod::Telephone)
        .direction(InteractionDirection::Outbound)
        .date_time(chrono::Utc::now())
        .contacted(false)
        .notes("No answer; left a voicemail")
        .contact(contact);
    let created = client_for(&fake).interactions().create(new).await.unwrap();

    assert_eq!(created.method, Some(InteractionMethod::Telephone));
    assert_eq!(created.contacted, Some(false));
    assert_eq!(created.contact, Some(contact));
    assert_eq!(created.author, Some(fake.author_id()));
    assert_eq!(created.organisation, Some(fake.org_id()));
    assert!(created.created_at.is_some());
    let stored = fake.interactions();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], created.id.to_string());
    assert_eq!(
        stored[0]["relationships"]["contact"]["data"]["type"],
        "contacts"
    );
    // Relationships not set are not sent at all.
    let request = &fake.requests()[0];
    let sent = request.body.as_ref().unwrap();
    assert!(sent["data"]["relationships"].get("account").is_none());
    assert!(sent["data"]["attributes"].get("status").is_none());
}

#[tokio::test]
async fn the_fakes_required_attribute_comes_back_as_an_api_error_naming_it() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let new = NewInteraction::new().method(InteractionMethod::Sms);
    let error = client_for(&fake)
        .interactions()
        .create(new)
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.errors[0].location(), Some("data.attributes.direction"));
    assert!(fake.interactions().is_empty());
}

#[tokio::test]
async fn a_wrong_session_token_is_refused() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token("not-the-token")
        .build()
        .unwrap();
    let new = NewInteraction::new();
    let error = client.interactions().create(new).await.unwrap_err();
    assert!(
        matches!(error, Error::Auth(ctrlhub::AuthError::Rejected { .. })),
        "{error:?}"
    );
}

async fn record_calls(client: &ctrlhub::Client, count: usize) -> Vec<ctrlhub::Interaction> {
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").unwrap();
    let mut created = Vec::new();
    for i in 0..count {
        let method = if i % 3 == 0 {
            InteractionMethod::Sms
        } else {
            InteractionMethod::Telephone
        };
        let new = NewInteraction::new()
            .method(method)
            .direction(InteractionDirection::Inbound)
            .date_time(start + chrono::Duration::minutes(i as i64))
            .notes(format!("call {i}"));
        created.push(client.interactions().create(new).await.unwrap());
    }
    created
}

#[tokio::test]
async fn every_interaction_streams_back_once_in_order_across_pages() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let created = record_calls(&client, 25).await;
    let streamed: Vec<Uuid> =
        futures::StreamExt::collect::<Vec<_>>(client.interactions().list().limit(10).stream())
            .await
            .into_iter()
            .map(|item| item.unwrap().id)
            .collect();
    assert_eq!(streamed, created.iter().map(|c| c.id).collect::<Vec<_>>());
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.query.clone().unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(
        pages,
        ["limit=10", "limit=10&offset=10", "limit=10&offset=20"]
    );
}

#[tokio::test]
async fn filters_and_sort_reach_the_fake_as_documented() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    record_calls(&client, 7).await;
    let page = client
        .interactions()
        .list()
        .filter("method", "sms")
        .sort("date_time", ctrlhub::SortDirection::Descending)
        .page()
        .await
        .unwrap();
    let notes: Vec<_> = page
        .items
        .iter()
        .map(|i| i.notes.clone().unwrap())
        .collect();
    assert_eq!(notes, ["call 6", "call 3", "call 0"]);
    assert_eq!(page.pagination.resources, Some(3));
    assert!(page.features.filter.contains(&"method".to_string()));
}

#[tokio::test]
async fn get_update_and_relink_round_trip_through_the_fake() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let created = record_calls(&client, 1).await.remove(0);
    let interactions = client.interactions();

    let updated = interactions
        .update(
            created.id,
            ctrlhub::InteractionChanges::new()
                .contacted(true)
                .notes("rang back"),
        )
        .await
        .unwrap();
    assert_eq!(updated.contacted, Some(true));
    assert_eq!(updated.notes.as_deref(), Some("rang back"));
    assert_eq!(
        updated.method,
        Some(InteractionMethod::Sms),
        "untouched attributes stay"
    );

    let contact = Uuid::new_v4();
    let representative = Uuid::new_v4();
    interactions.set_contact(created.id, contact).await.unwrap();
    interactions
        .set_representative(created.id, representative)
        .await
        .unwrap();

    let details = interactions
        .get(created.id)
        .include([
            ctrlhub::InteractionRelated::Contact,
            ctrlhub::InteractionRelated::Author,
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(details.resource.contact, Some(contact));
    assert_eq!(details.resource.representative, Some(representative));
    assert_eq!(details.contact().unwrap().unwrap().id, contact);
    assert_eq!(details.author().unwrap().unwrap().id, fake.author_id());
    assert!(details.representative().unwrap().is_none(), "not asked for");

    let missing = interactions.get(Uuid::new_v4()).send().await.unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn pages_in_flight_give_every_interaction_once_in_order() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(47);
    let client = client_for(&fake);
    let expected: Vec<Uuid> = fake
        .interactions()
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    for in_flight in [1, 2, 8] {
        let streamed: Vec<Uuid> = client
            .interactions()
            .list()
            .limit(5)
            .pages_in_flight(in_flight)
            .stream()
            .map(|item| item.unwrap().id)
            .collect()
            .await;
        assert_eq!(streamed, expected, "{in_flight} in flight");
    }
    // With a total to go by, no page past the end (offset 50) is ever requested, and
    // each of the ten pages is requested once per walk.
    let queries: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(
        !queries.iter().any(|q| q.ends_with("offset=50")),
        "{queries:?}"
    );
    assert_eq!(queries.len(), 30, "{queries:?}");
}

#[tokio::test]
async fn a_list_that_pages_differently_mid_walk_is_followed_by_next_without_loss_or_repeat() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(30);
    let client = client_for(&fake);
    let expected: Vec<Uuid> = fake
        .interactions()
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut stream = client
        .interactions()
        .list()
        .limit(5)
        .pages_in_flight(4)
        .stream();
    let mut streamed = vec![stream.next().await.unwrap().unwrap().id];
    // The server starts serving pages of 3 (its next offsets now disagree with the
    // predictions made from the limit of 5).
    fake.set_max_page_size(Some(3));
    while let Some(item) = stream.next().await {
        streamed.push(item.unwrap().id);
    }
    assert_eq!(streamed, expected);
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(
        pages
            .iter()
            .any(|q| q.ends_with("offset=13") || q.ends_with("offset=8")),
        "the walk followed the server's next: {pages:?}"
    );
}
