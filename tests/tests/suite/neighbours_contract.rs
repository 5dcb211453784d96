//! Contract tests for contacts, customer accounts and members: the exact requests the
//! client sends and how the documented answers decode.

use ctrlhub::{ContactAssociation, ContactChanges, ContactSalutation, NewCustomerAccount};
use futures::StreamExt;
use httpmock::Method::{GET, PATCH, POST, PUT};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::common::*;

const CONTACT: &str = "11111111-1111-4111-8111-111111111111";
const ACCOUNT: &str = "44444444-4444-4444-8444-444444444444";
const PROPERTY: &str = "55555555-5555-4555-8555-555555555555";
const MEMBER: &str = "66666666-6666-4666-8666-666666666666";

fn contact_resource(id: &str, email: &str) -> Value {
    json!({
        "id": id, "type": "contacts",
        "attributes": {"association": "occupier", "salutation": "Mr", "first_name": "Alan",
                       "last_name": "Turing", "email": email, "telephone": "01632 960000"},
        "relationships": {
            "accounts": {"data": [{"type": "customer-accounts", "id": ACCOUNT}]},
            "author": {"data": {"type": "users", "id": MEMBER}},
            "interactions": {"data": []},
            "organisation": {"data": {"type": "organisations", "id": ORG}}
        }
    })
}

fn pagination(next: Option<u64>) -> Value {
    json!({"pagination": {"offsets": {"next": next, "previous": null}}})
}

#[tokio::test]
async fn get_contact_decodes_every_documented_field() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v3/orgs/{ORG}/customers/contacts/{CONTACT}"))
                .header("accept", JSON_API)
                .header("x-session-token", TOKEN);
            then.status(200).header("content-type", JSON_API).json_body(
                json!({"data": contact_resource(CONTACT, "alan@example.com"),
                                  "jsonapi": {"version": "1.0"}}),
            );
        })
        .await;
    let contact = client(&server.base_url())
        .contacts()
        .get(CONTACT)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(contact.id.to_string(), CONTACT);
    assert_eq!(contact.association, Some(ContactAssociation::Occupier));
    assert_eq!(contact.salutation, Some(ContactSalutation::Mr));
    assert_eq!(contact.first_name.as_deref(), Some("Alan"));
    assert_eq!(contact.last_name.as_deref(), Some("Turing"));
    assert_eq!(contact.email.as_deref(), Some("alan@example.com"));
    assert_eq!(contact.telephone.as_deref(), Some("01632 960000"));
    assert_eq!(contact.accounts.len(), 1);
    assert_eq!(contact.accounts[0].to_string(), ACCOUNT);
    assert!(contact.interactions.is_empty());
    assert_eq!(contact.author.unwrap().to_string(), MEMBER);
    assert_eq!(contact.organisation.unwrap().to_string(), ORG);
}

#[tokio::test]
async fn unknown_salutations_and_associations_are_kept_as_received() {
    let server = MockServer::start_async().await;
    let mut resource = contact_resource(CONTACT, "d@example.com");
    resource["attributes"]["salutation"] = json!("Dr");
    resource["attributes"]["association"] = json!("landlord");
    server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).json_body(json!({"data": resource}));
        })
        .await;
    let contact = client(&server.base_url())
        .contacts()
        .get(CONTACT)
        .send()
        .await
        .unwrap();
    let salutation = contact.salutation.unwrap();
    assert!(!salutation.is_known());
    assert_eq!(salutation.as_str(), "Dr");
    assert_eq!(contact.association.unwrap().as_str(), "landlord");
}

#[tokio::test]
async fn update_contact_that_may_clear_puts_only_the_fields_set_with_the_type_filled_in() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(format!("/v3/orgs/{ORG}/customers/contacts/{CONTACT}"))
                .header("content-type", JSON_API)
                .json_body(json!({"data": {"id": CONTACT, "type": "contacts",
                    "attributes": {"first_name": "Alan M.", "last_name": "Turing",
                                   "email": "alan@example.org", "telephone": "01632 960001"}}}));
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({"data": contact_resource(CONTACT, "alan@example.org")}));
        })
        .await;
    let contact = client(&server.base_url())
        .contacts()
        .update_may_clear_unmentioned(
            CONTACT,
            ContactChanges::new()
                .first_name("Alan M.")
                .last_name("Turing")
                .email("alan@example.org")
                .telephone("01632 960001"),
        )
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(contact.email.as_deref(), Some("alan@example.org"));
}

#[tokio::test]
async fn list_contacts_filters_and_streams_every_page() {
    let server = MockServer::start_async().await;
    let path = format!("/v3/orgs/{ORG}/customers/contacts");
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .query_param("filter[email]", "alan@example.com")
                .query_param("sort", "-last_name")
                .query_param("limit", "1")
                .query_param_missing("offset");
            then.status(200).json_body(json!({
                "data": [contact_resource(CONTACT, "alan@example.com")],
                "meta": pagination(Some(1))
            }));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .query_param("offset", "1");
            then.status(200).json_body(json!({
                "data": [contact_resource(ACCOUNT, "alan@example.com")],
                "meta": pagination(None)
            }));
        })
        .await;
    let ids: Vec<String> = client(&server.base_url())
        .contacts()
        .list()
        .filter("email", "alan@example.com")
        .sort("last_name", ctrlhub::SortDirection::Descending)
        .limit(1)
        .stream()
        .map(|contact| contact.unwrap().id.to_string())
        .collect()
        .await;
    assert_eq!(ids, [CONTACT, ACCOUNT]);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn create_customer_account_posts_relationships_only() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v3/orgs/{ORG}/customers/accounts"))
                .header("content-type", JSON_API)
                .json_body(
                    json!({"data": {"type": "customer-accounts", "relationships": {
                        "contacts": {"data": [{"type": "contacts", "id": CONTACT}]},
                        "properties": {"data": [{"type": "properties", "id": PROPERTY}]}
                    }}}),
                );
            then.status(201)
                .header("content-type", JSON_API)
                .json_body(json!({
                    "data": {"id": ACCOUNT, "type": "customer-accounts", "relationships": {
                        "author": {"data": {"type": "users", "id": MEMBER}},
                        "organisation": {"data": {"type": "organisations", "id": ORG}},
                        "contacts": {"data": [{"type": "contacts", "id": CONTACT}]},
                        "interactions": {"data": []},
                        "properties": {"data": [{"type": "properties", "id": PROPERTY}]}
                    }},
                    "included": [contact_resource(CONTACT, "alan@example.com")]
                }));
        })
        .await;
    let account = client(&server.base_url())
        .customer_accounts()
        .create(
            NewCustomerAccount::new()
                .contact(CONTACT)
                .property(PROPERTY),
        )
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(account.id.to_string(), ACCOUNT);
    assert_eq!(account.contacts.len(), 1);
    assert_eq!(account.contacts[0].to_string(), CONTACT);
    assert_eq!(account.properties[0].to_string(), PROPERTY);
    assert!(account.interactions.is_empty());
    assert_eq!(account.author.unwrap().to_string(), MEMBER);
    assert!(account.attributes.is_empty());
}

#[tokio::test]
async fn adding_and_replacing_account_contacts_send_identifier_lists_and_accept_200_or_204() {
    let server = MockServer::start_async().await;
    let path = format!("/v3/orgs/{ORG}/customers/accounts/{ACCOUNT}/relationships/contacts");
    let body = json!({"data": [{"type": "contacts", "id": CONTACT},
                               {"type": "contacts", "id": SEED_ID}]});
    let add = server
        .mock_async(|when, then| {
            when.method(POST).path(path.clone()).json_body(body.clone());
            then.status(204);
        })
        .await;
    let replace = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(path.clone())
                .json_body(json!({"data": []}));
            then.status(200)
                .header("content-type", JSON_API)
                .json_body(json!({"data": []}));
        })
        .await;
    let accounts_client = client(&server.base_url());
    let accounts = accounts_client.customer_accounts();
    accounts
        .add_contacts(ACCOUNT, [CONTACT, SEED_ID])
        .send()
        .await
        .unwrap();
    let none: [uuid::Uuid; 0] = [];
    accounts.set_contacts(ACCOUNT, none).send().await.unwrap();
    add.assert_async().await;
    replace.assert_async().await;
}

#[tokio::test]
async fn members_decode_with_every_profile_part_kept() {
    let server = MockServer::start_async().await;
    let member = json!({
        "id": MEMBER, "type": "users",
        "attributes": {
            "email": "grace@example.com",
            "identities": [{"provider": "password", "id": "x"}],
            "profile": {"work": {"job_title": "Engineer"}, "personal": {"first_name": "Grace"},
                        "contact": null, "address": {}, "settings": {"theme": "dark"},
                        "pronouns": "she/her"}
        },
        "relationships": {"organisations": {"data": [{"type": "organisations", "id": ORG}]},
                          "teams": {"data": []}}
    });
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v3/orgs/{ORG}/iam/members"))
                .query_param("limit", "10");
            then.status(200)
                .json_body(json!({"data": [member], "meta": pagination(None)}));
        })
        .await;
    let page = client(&server.base_url())
        .members()
        .list()
        .limit(10)
        .page()
        .await
        .unwrap();
    let member = &page.items[0];
    assert_eq!(member.id.to_string(), MEMBER);
    assert_eq!(member.email.as_deref(), Some("grace@example.com"));
    assert_eq!(member.identities[0]["provider"], "password");
    assert_eq!(member.profile.work["job_title"], "Engineer");
    assert_eq!(member.profile.personal["first_name"], "Grace");
    assert!(member.profile.contact.is_empty(), "null is empty");
    assert_eq!(member.profile.settings["theme"], "dark");
    assert_eq!(
        member.profile.other["pronouns"], "she/her",
        "undocumented parts kept"
    );
    assert_eq!(member.organisations[0].to_string(), ORG);
    assert_eq!(page.next_offset(), None);
}

#[tokio::test]
async fn get_member_reads_one_member() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v3/orgs/{ORG}/iam/members/{MEMBER}"));
            then.status(200)
                .json_body(json!({"data": {"id": MEMBER, "type": "users",
                "attributes": {"email": "grace@example.com"}}}));
        })
        .await;
    let member = client(&server.base_url())
        .members()
        .get(MEMBER)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(member.email.as_deref(), Some("grace@example.com"));
    assert!(member.identities.is_empty());
    assert_eq!(member.profile, ctrlhub::MemberProfile::default());
}

#[tokio::test]
async fn an_included_contact_of_the_wrong_shape_is_an_error_and_its_json_stays() {
    let server = MockServer::start_async().await;
    let interaction = "00000000-0000-4000-8000-000000000007";
    server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).json_body(json!({
                "data": {"id": interaction, "type": "customer-interactions",
                         "relationships": {"contact": {"data": {"type": "contacts", "id": CONTACT}}}},
                "included": [{"type": "contacts", "id": CONTACT,
                              "attributes": {"first_name": 42}}]
            }));
        })
        .await;
    let details = client(&server.base_url())
        .interactions()
        .get(interaction)
        .include([ctrlhub::InteractionRelated::Contact])
        .send()
        .await
        .unwrap();
    let Err(ctrlhub::Error::Decode(decode)) = details.contact() else {
        panic!("expected a decode error");
    };
    assert!(
        decode
            .reason
            .starts_with(&format!("included contacts {CONTACT}")),
        "{}",
        decode.reason
    );
    let json = details
        .related(ctrlhub::InteractionRelated::Contact)
        .unwrap();
    assert_eq!(json.attribute("first_name"), Some(&json!(42)));
}
