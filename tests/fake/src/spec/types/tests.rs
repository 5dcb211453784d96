use super::super::{parse, spec};
use super::*;

/// The carried spec, as JSON text (a copy to change).
fn spec_text() -> String {
    serde_json::to_string(spec()).expect("the spec is JSON")
}

fn parsed_from(text: &str) -> Value {
    parse(text).expect("the changed spec parses")
}

#[test]
fn the_carried_spec_names_every_type_the_fake_sends() {
    let types = resource_types().expect("the types resolve");
    assert_eq!(
        (
            types.interaction.as_str(),
            types.contact.as_str(),
            types.account.as_str(),
            types.property.as_str(),
            types.user.as_str(),
        ),
        (
            "customer-interactions",
            "contacts",
            "customer-accounts",
            "properties",
            "users"
        )
    );
    let doc = spec();
    assert_eq!(
        resource_type_in(doc, "NewInteractionResource").as_deref(),
        Ok("customer-interactions")
    );
    assert_eq!(
        relationship_target_in(doc, "NewInteractionResource", "representative").as_deref(),
        Ok("users")
    );
    assert_eq!(
        relationship_target_in(doc, "NewCustomerAccountResource", "properties").as_deref(),
        Ok("properties")
    );
    assert_eq!(
        request_target_in(doc, ACCOUNT_CONTACTS, "post").as_deref(),
        Ok("contacts")
    );
}

#[test]
fn a_type_changed_in_the_spec_text_changes_the_answer() {
    let text = spec_text()
        .replace(r#""enum":["contacts"]"#, r#""enum":["people"]"#)
        .replace(
            r#""x-ctrlhub-target":"contacts""#,
            r#""x-ctrlhub-target":"people""#,
        )
        .replace(
            r#""enum":["customer-interactions"]"#,
            r#""enum":["interactions"]"#,
        );
    let changed = resource_types_in(&parsed_from(&text)).expect("the types resolve");
    assert_eq!(changed.contact, "people");
    assert_eq!(changed.interaction, "interactions");
    assert_eq!(changed.account, "customer-accounts");
    let doc = parsed_from(&text);
    assert_eq!(
        relationship_target_in(&doc, "NewInteractionResource", "contact").as_deref(),
        Ok("people")
    );
    assert_eq!(
        resource_type_in(&doc, "InteractionUpdateResource").as_deref(),
        Ok("interactions")
    );
}

#[test]
fn a_type_named_two_ways_or_not_at_all_is_refused_naming_the_schema() {
    // Only the create's interaction type changes: the update's still says the old one.
    let text = spec_text().replacen(
        r#""enum":["customer-interactions"]"#,
        r#""enum":["interactions"]"#,
        1,
    );
    let why = resource_types_in(&parsed_from(&text)).unwrap_err();
    assert!(
        why.contains("two types for a customer interaction"),
        "{why}"
    );
    assert!(why.contains("InteractionUpdateResource"), "{why}");
    // No one-value enum on the user identifier: its schema is named.
    let text = spec_text().replace(r#""enum":["users"]"#, r#""enum":["users","members"]"#);
    let why = resource_types_in(&parsed_from(&text)).unwrap_err();
    assert!(why.contains("`representative` relationship"), "{why}");
    assert!(why.contains("#/components/schemas/UserIdentifier"), "{why}");
    let mut doc = spec().clone();
    doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas")
        .remove("ContactUpdateResource");
    let why = resource_types_in(&doc).unwrap_err();
    assert!(
        why.contains("#/components/schemas/ContactUpdateResource"),
        "{why}"
    );
}

#[test]
fn a_relationship_mark_answers_before_the_identifier() {
    let mut doc = spec().clone();
    doc["components"]["schemas"]["InteractionRelationships"]["properties"]["author"]["x-ctrlhub-target"] =
        "people".into();
    assert_eq!(
        relationship_target_in(&doc, "InteractionResource", "author").as_deref(),
        Ok("people")
    );
    // The carried spec does not say what an interaction's author links.
    assert!(relationship_target_in(spec(), "InteractionResource", "author").is_err());
}
