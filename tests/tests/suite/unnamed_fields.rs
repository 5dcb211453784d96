//! What this version does not name is kept and can be sent back: attributes Ctrl Hub
//! sends that the spec does not name are read by name, carried on a create under the
//! update's rule (sent; dropped on a resend only when a 400 names them), and attributes
//! the spec names are set by name, checked before anything is sent.

use ctrlhub::{Error, InteractionDirection, InteractionMethod, NewInteraction, ResourceFields};
use ctrlhub_fake::{FakeCtrlHub, UnnamedOnPut};
use serde_json::{Value, json};

use crate::common::client_for;

fn call() -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Email)
        .direction(InteractionDirection::Outbound)
        .date_time(chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").unwrap())
}

fn posts(fake: &FakeCtrlHub) -> Vec<Value> {
    fake.api_requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.body.unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn an_attribute_the_spec_does_not_name_is_read_by_name_and_kept_apart() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let created = client
        .interactions()
        .create(
            call()
                .notes("n")
                .contacted(false)
                .status(ctrlhub::InteractionStatus::Scheduled),
        )
        .await
        .unwrap();
    fake.hold_unnamed_attribute("priority", json!({"level": 2}), UnnamedOnPut::Refuse);
    let read = client.interactions().get(created.id).await.unwrap();
    assert_eq!(read.other.get("priority"), Some(&json!({"level": 2})));
    assert_eq!(
        read.other.len(),
        1,
        "typed attributes are not repeated in other"
    );
    assert_eq!(read.attribute("priority"), Some(json!({"level": 2})));
    assert_eq!(read.attribute("notes"), Some(json!("n")));
    assert_eq!(read.attribute("method"), Some(json!("email")));
    assert_eq!(read.attribute("contacted"), Some(json!(false)));
    assert_eq!(read.attribute("direction"), Some(json!("outbound")));
    assert_eq!(read.attribute("status"), Some(json!("scheduled")));
    assert_eq!(read.attribute("nothing"), None, "not sent");
    assert_eq!(
        read.attribute("date_time"),
        Some(json!("2026-01-05T09:00:00Z"))
    );
}

#[tokio::test]
async fn a_carried_attribute_is_sent_once_when_ctrl_hub_takes_it() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.hold_unnamed_attribute("priority", json!("high"), UnnamedOnPut::Accept);
    let client = client_for(&fake);
    let created = client
        .interactions()
        .create(call().carry("priority", "low"))
        .await
        .unwrap();
    assert_eq!(created.other.get("priority"), Some(&json!("low")));
    let sent = posts(&fake);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["data"]["attributes"]["priority"], "low");
    assert_eq!(fake.interactions()[0]["attributes"]["priority"], "low");
}

#[tokio::test]
async fn a_carried_attribute_ctrl_hub_refuses_is_dropped_and_the_rest_is_sent_again() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.hold_unnamed_attribute("priority", json!("high"), UnnamedOnPut::Refuse);
    let client = client_for(&fake);
    let created = client
        .interactions()
        .create(call().notes("kept").carry("priority", "low"))
        .await
        .unwrap();
    assert_eq!(created.notes.as_deref(), Some("kept"));
    assert!(created.other.is_empty(), "{:?}", created.other);
    let sent = posts(&fake);
    assert_eq!(sent.len(), 2, "refused once, then sent without it");
    assert_eq!(sent[0]["data"]["attributes"]["priority"], "low");
    assert!(sent[1]["data"]["attributes"].get("priority").is_none());
    assert_eq!(sent[1]["data"]["attributes"]["notes"], "kept");
    assert_eq!(fake.interactions().len(), 1);
}

#[tokio::test]
async fn a_refusal_that_names_no_carried_attribute_is_the_error_and_nothing_is_resent() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.hold_unnamed_attribute("priority", json!("high"), UnnamedOnPut::Accept);
    let client = client_for(&fake);
    // The fake requires `method` on create: its 400 names `method`, not the carried one.
    let error = client
        .interactions()
        .create(
            NewInteraction::new()
                .direction(InteractionDirection::Outbound)
                .date_time(chrono::Utc::now())
                .carry("priority", "low"),
        )
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(posts(&fake).len(), 1);
    assert!(fake.interactions().is_empty());
}

#[tokio::test]
async fn an_attribute_set_by_name_is_checked_before_anything_is_sent() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    for (new, field, says) in [
        (
            call().attribute("methd", "email"),
            "attributes.methd",
            "may not set",
        ),
        (
            call().attribute("contacted", "yes"),
            "attributes.contacted",
            "not a value",
        ),
        (
            call().attribute("created_at", "x"),
            "attributes.created_at",
            "notes",
        ),
    ] {
        let error = client.interactions().create(new).await.unwrap_err();
        let Error::InvalidInput(input) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(input.field, field);
        assert!(input.reason.contains(says), "{}", input.reason);
    }
    assert!(fake.api_requests().is_empty(), "nothing was sent");
    // A name the spec gives a create is set, and so is one carried that the spec names.
    let created = client
        .interactions()
        .create(
            call()
                .attribute("notes", "by name")
                .carry("contacted", true),
        )
        .await
        .unwrap();
    assert_eq!(created.notes.as_deref(), Some("by name"));
    assert_eq!(created.contacted, Some(true));
    assert!(created.other.is_empty());
}

#[test]
fn the_fields_of_each_resource_are_the_specs_in_its_order() {
    let interaction = ResourceFields::of::<ctrlhub::Interaction>();
    assert_eq!(
        interaction.attributes,
        [
            "method",
            "direction",
            "date_time",
            "contacted",
            "status",
            "notes"
        ]
    );
    assert_eq!(
        interaction.create_relationships,
        ["contact", "account", "property", "representative"]
    );
    assert_eq!(
        interaction.update_attributes,
        ["date_time", "contacted", "notes"]
    );
    assert_eq!(
        interaction.meta,
        ["created_at", "updated_at", "modified_at"]
    );
    assert_eq!(
        interaction.sorts,
        ["date_time", "method", "direction", "created_at"]
    );
    assert_eq!(
        interaction.filters,
        ["method", "direction", "status", "contacted"]
    );
    let contact = ResourceFields::of::<ctrlhub::Contact>();
    assert!(
        contact.create_attributes.is_empty(),
        "no create of a contact"
    );
    assert_eq!(
        contact.includes,
        ["author", "accounts", "interactions", "organisation"]
    );
    let member = ResourceFields::of::<ctrlhub::Member>();
    assert!(member.update_attributes.is_empty());
    assert_eq!(member.filters, ["email"]);
}

#[tokio::test]
async fn a_relationship_the_spec_does_not_name_is_kept_on_every_typed_resource() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    client.interactions().create(call()).await.unwrap();
    let team = json!({"data": {"type": "teams", "id": "5b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b"}});
    fake.hold_unnamed_relationship("team", team.clone());
    let interaction = client.interactions().list().page().await.unwrap();
    assert_eq!(
        interaction.items[0].other_relationships.get("team"),
        Some(&team)
    );
    let contacts = fake.contacts();
    let contact_id: uuid::Uuid = contacts[0]["id"].as_str().unwrap().parse().unwrap();
    let contact = client.contacts().get(contact_id).await.unwrap();
    assert_eq!(contact.other_relationships.get("team"), Some(&team));
    let members = fake.members();
    let member_id: uuid::Uuid = members[0]["id"].as_str().unwrap().parse().unwrap();
    let member = client.members().get(member_id).await.unwrap();
    assert_eq!(member.other_relationships.get("team"), Some(&team));
    // The relationships the spec names are where they were, and not repeated.
    assert_eq!(interaction.items[0].other_relationships.len(), 1);
    assert_eq!(contact.accounts.len(), 1, "{contact:?}");
}
