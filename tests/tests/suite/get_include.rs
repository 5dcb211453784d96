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

    assert_eq!(details.resource.id.to_string(), id(7));
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
        details.resource.representative.unwrap().to_string(),
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
async fn a_page_finds_each_items_included_resources_by_type_and_id() {
    let server = MockServer::start_async().await;
    let shared = "11111111-1111-4111-8111-111111111111";
    let author = "22222222-2222-4222-8222-222222222222";
    let mut first = resource(1);
    first["relationships"] = json!({
        "contact": {"data": {"type": "contacts", "id": shared}},
        // A type string other than the one the crate would guess: the link is kept as sent.
        "author": {"data": {"type": "members", "id": author}},
        "property": {"data": null}
    });
    let mut second = resource(2);
    second["relationships"] = json!({"property": {"data": {"type": "properties", "id": shared}}});
    let mut answer = page(&[], 0, None);
    answer["data"] = json!([first, second]);
    answer["included"] = json!([
        // Same id as the contact, another type, listed first: not the contact.
        {"type": "properties", "id": shared, "attributes": {"postcode": "AB1 2CD"}},
        {"type": "contacts", "id": shared, "attributes": {"first_name": "Ada"}},
        {"type": "members", "id": author, "attributes": {"email": "a@example.com"}},
        // An id that no relationship of this API can point at: left out.
        {"type": "contacts", "id": "not-a-uuid", "attributes": {}}
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET).path(list_path());
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(answer);
        })
        .await;
    let client = client(&server.base_url());
    let page = client
        .interactions()
        .list()
        .include([InteractionRelated::Contact, InteractionRelated::Property])
        .page()
        .await
        .unwrap();
    assert_eq!(page.included.len(), 3, "{:?}", page.included);
    let [first, second] = &page.items[..] else {
        panic!("two items: {:?}", page.items)
    };
    let contact_link = first.link(InteractionRelated::Contact).unwrap();
    assert_eq!(
        (contact_link.type_.as_str(), contact_link.id.to_string()),
        ("contacts", shared.to_owned())
    );
    let contact = page.related(contact_link).unwrap();
    assert_eq!(contact.attribute("first_name"), Some(&json!("Ada")));
    let author_link = first.link(InteractionRelated::Author).unwrap();
    assert_eq!(author_link.type_, "members");
    assert_eq!(
        page.related(author_link).unwrap().attribute("email"),
        Some(&json!("a@example.com"))
    );
    // A null link is no link; a link to something not included finds nothing.
    assert_eq!(first.link(InteractionRelated::Property), None);
    assert_eq!(first.link(InteractionRelated::Account), None);
    let property = page
        .related(second.link(InteractionRelated::Property).unwrap())
        .unwrap();
    assert_eq!(property.attribute("postcode"), Some(&json!("AB1 2CD")));
    assert_eq!(second.link(InteractionRelated::Contact), None);
    let missing = ctrlhub::jsonapi::ResourceIdentifier::new("contacts", uuid::Uuid::nil());
    assert!(page.related(&missing).is_none());
}

#[tokio::test]
async fn the_property_and_organisation_of_an_interaction_come_as_json() {
    let server = MockServer::start_async().await;
    let property = "55555555-5555-4555-8555-555555555555";
    let organisation = "66666666-6666-4666-8666-666666666666";
    let mut item = resource(8);
    item["relationships"] = json!({
        "property": {"data": {"type": "properties", "id": property}},
        "organisation": {"data": {"type": "organisations", "id": organisation}}
    });
    server
        .mock_async(|when, then| {
            when.method(GET).path(item_path(8));
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({
                    "data": item,
                    "included": [
                        {"type": "properties", "id": property, "attributes": {"postcode": "AB1 2CD"}},
                        {"type": "organisations", "id": organisation, "attributes": {"name": "Acme"}}
                    ]
                }));
        })
        .await;
    let details = client(&server.base_url())
        .interactions()
        .get(id(8).as_str())
        .include([
            InteractionRelated::Property,
            InteractionRelated::Organisation,
        ])
        .await
        .unwrap();
    assert_eq!(
        details.property().unwrap().attribute("postcode"),
        Some(&json!("AB1 2CD"))
    );
    assert_eq!(
        details.organisation().unwrap().attribute("name"),
        Some(&json!("Acme"))
    );
}
