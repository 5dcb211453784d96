//! Getting one interaction with its included resources, against httpmock.

use ctrlhub::{Error, InteractionRelated};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

use crate::common::*;
use crate::interaction_mocks::*;

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
