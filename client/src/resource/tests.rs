use super::*;
use crate::{Contact, ContactRelated, InteractionRelated};

fn identifier(type_: &str, n: u8) -> ResourceIdentifier {
    ResourceIdentifier::new(type_, Uuid::from_u128(u128::from(n)))
}

fn contact(relationships: serde_json::Value) -> Contact {
    let raw: crate::generated::types::ContactResource = serde_json::from_value(serde_json::json!({
        "id": Uuid::from_u128(1),
        "type": "contacts",
        "relationships": relationships,
    }))
    .unwrap();
    Contact::from_raw(raw)
}

fn included(type_: &str, n: u8) -> IncludedResource {
    IncludedResource::all_of(vec![
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(u128::from(n)),
            "type": type_,
            "attributes": {"n": n},
        }))
        .unwrap(),
    ])
    .remove(0)
}

#[test]
fn to_one_and_to_many_links_each_give_their_identifiers() {
    let none: Option<ToOne> = None;
    assert!(none.identifiers().is_empty());
    let empty = Some(ToOne::default());
    assert!(
        empty.identifiers().is_empty(),
        "a null linkage links nothing"
    );
    let one = Some(ToOne::to(identifier("users", 2)));
    assert_eq!(one.identifiers(), [identifier("users", 2)]);
    let many = Some(ToMany::to(vec![identifier("a", 1), identifier("a", 2)]));
    assert_eq!(many.identifiers().len(), 2);
    let no_many: Option<ToMany> = None;
    assert!(no_many.identifiers().is_empty());
}

#[test]
fn relationships_name_each_link_by_its_member() {
    let contact = contact(serde_json::json!({
        "accounts": {"data": [
            {"type": "customer-accounts", "id": Uuid::from_u128(3)},
            {"type": "customer-accounts", "id": Uuid::from_u128(4)},
        ]},
        "author": {"data": {"type": "users", "id": Uuid::from_u128(5)}},
        "organisation": {"data": null},
    }));
    assert_eq!(
        contact.all_links(),
        [
            (ContactRelated::Author, identifier("users", 5)),
            (ContactRelated::Accounts, identifier("customer-accounts", 3)),
            (ContactRelated::Accounts, identifier("customer-accounts", 4)),
        ]
    );
    assert_eq!(contact.accounts, [Uuid::from_u128(3), Uuid::from_u128(4)]);
    assert_eq!(contact.author, Some(Uuid::from_u128(5)));
    assert_eq!(contact.organisation, None);
    assert_eq!(ContactRelated::ALL.len(), 4);
    assert_eq!(ContactRelated::Accounts.name(), "accounts");
    assert_eq!(
        InteractionRelated::Representative.to_string(),
        "representative"
    );
}

#[test]
fn details_find_related_resources_by_type_and_id_in_link_order() {
    let contact = contact(serde_json::json!({
        "accounts": {"data": [
            {"type": "customer-accounts", "id": Uuid::from_u128(4)},
            {"type": "customer-accounts", "id": Uuid::from_u128(3)},
            {"type": "customer-accounts", "id": Uuid::from_u128(9)},
        ]},
        "author": {"data": {"type": "users", "id": Uuid::from_u128(3)}},
    }));
    let details = Details {
        resource: contact,
        included: vec![
            included("customer-accounts", 3),
            // Same id, another type: never what the author link names.
            included("contacts", 5),
            included("customer-accounts", 4),
            included("users", 3),
        ],
    };
    let accounts: Vec<_> = details
        .related_all(ContactRelated::Accounts)
        .map(|r| r.id)
        .collect();
    assert_eq!(
        accounts,
        [Uuid::from_u128(4), Uuid::from_u128(3)],
        "in link order, the one not included skipped"
    );
    let author = details.related(ContactRelated::Author).unwrap();
    assert_eq!(
        (author.type_.as_str(), author.id),
        ("users", Uuid::from_u128(3))
    );
    assert!(details.related(ContactRelated::Organisation).is_none());
    assert_eq!(details.included().len(), 4);
    let typed: Option<crate::CustomerAccount> =
        details.related_as(ContactRelated::Accounts).unwrap();
    assert_eq!(typed.unwrap().id, Uuid::from_u128(4));
    let none: Option<crate::Member> = details.related_as(ContactRelated::Organisation).unwrap();
    assert!(none.is_none());
}

#[test]
fn builders_name_their_resource_in_debug() {
    let client = crate::Client::builder()
        .base_url("http://127.0.0.1:9")
        .session_token("secret-token")
        .organisation_id(Uuid::from_u128(1))
        .build()
        .unwrap();
    let contacts = client.contacts();
    let text = format!("{contacts:?}");
    assert!(text.contains("Contact"), "{text}");
    let get = contacts.get(Uuid::from_u128(2));
    let text = format!("{get:?}");
    assert!(text.contains("Contact") && text.contains("00000000-0000-0000-0000-000000000002"));
    let get = client
        .interactions()
        .get("x")
        .include([InteractionRelated::Author]);
    let text = format!("{get:?}");
    assert!(text.contains("Author"), "{text}");
    assert!(!text.contains("secret-token"), "{text}");
}

#[test]
fn a_resource_of_another_known_type_is_never_decoded_as_this_one() {
    let account = included("customer-accounts", 4);
    let wrong = account.decode::<Contact>().unwrap_err();
    assert!(
        wrong.to_string().contains(
            "customer-accounts 00000000-0000-0000-0000-000000000004 is not one of `contacts`"
        ),
        "{wrong}"
    );
    let right = account.decode::<crate::CustomerAccount>().unwrap();
    assert_eq!(right.id, Uuid::from_u128(4));
    // A type string the spec does not name (its strings are the SDK's guesses): decoded.
    let unnamed = included("contact", 5).decode::<Contact>().unwrap();
    assert_eq!(unnamed.id, Uuid::from_u128(5));
    assert!(crate::generated::RESOURCE_TYPES.contains(&"users"));
}

#[test]
fn field_names_read_as_a_choice() {
    assert_eq!(one_of(&[]), "");
    assert_eq!(one_of(&["notes"]), "notes");
    assert_eq!(one_of(&["a", "b"]), "a or b");
    assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
}

fn api_error(status: u16, locations: &[serde_json::Value]) -> Error {
    let errors = locations
        .iter()
        .map(|error| serde_json::from_value(error.clone()).unwrap())
        .collect();
    Error::Api(crate::error::ApiError {
        status: reqwest::StatusCode::from_u16(status).unwrap(),
        errors,
        trace_id: None,
        retry_after: None,
        outcome: None,
        attempts: 1,
    })
}

#[test]
fn a_400_naming_carried_unnamed_attributes_names_only_those() {
    let mut unnamed = Object::new();
    unnamed.insert("priority".into(), "high".into());
    unnamed.insert("colour".into(), "red".into());
    let error = api_error(
        400,
        &[
            serde_json::json!({"source": {"pointer": "/data/attributes/priority"}}),
            // Ctrl Hub's own form.
            serde_json::json!({"meta": {"field": "data.attributes.colour"}}),
            // A known attribute, and a parameter: not carried, not dropped.
            serde_json::json!({"source": {"pointer": "/data/attributes/notes"}}),
            serde_json::json!({"source": {"parameter": "include"}}),
        ],
    );
    assert_eq!(refused_unnamed(&error, &unnamed), ["priority", "colour"]);
    let not_400 = api_error(
        422,
        &[serde_json::json!({"source": {"pointer": "/data/attributes/priority"}})],
    );
    assert!(refused_unnamed(&not_400, &unnamed).is_empty());
    let other = Error::invalid_input("id", "bad");
    assert!(refused_unnamed(&other, &unnamed).is_empty());
}
