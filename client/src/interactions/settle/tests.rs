use super::*;
use crate::model::InteractionMethod;

const CONTACT: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

fn stored(json: Value) -> Interaction {
    let mut resource = json!({
        "id": "5f0c7b9e-8a4e-4f4e-9b53-0d9a6c3f2e11",
        "type": "customer-interactions",
        "attributes": {
            "method": "email",
            "notes": "hello",
            "date_time": "2026-01-05T09:00:00Z",
            "status": "scheduled"
        },
        "relationships": {"contact": {"data": {"type": "contacts", "id": CONTACT}}},
        "meta": {"created_at": "2026-01-05T09:00:05Z"}
    });
    if let (Value::Object(base), Value::Object(changes)) = (&mut resource["attributes"], json) {
        base.extend(changes);
    }
    <Interaction as crate::resource::TypedResource>::from_raw(
        serde_json::from_value(resource).unwrap(),
    )
}

use serde_json::json;

fn new() -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Email)
        .notes("hello")
        .date_time(DateTime::parse_from_rfc3339("2026-01-05T10:00:00+01:00").unwrap())
        .contact(CONTACT)
}

#[test]
fn a_match_holds_everything_sent_and_may_hold_more() {
    let one = sent(&new()).unwrap();
    assert!(
        matches(&one, &stored(json!({}))),
        "status is a default the server added"
    );
    assert!(!matches(&one, &stored(json!({"notes": "hello!"}))));
    assert!(!matches(&one, &stored(json!({"method": "sms"}))));
    assert!(
        !matches(&one, &stored(json!({"date_time": "2026-01-05T09:00:01Z"}))),
        "a second apart"
    );
    let elsewhere = sent(&new().contact("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")).unwrap();
    assert!(!matches(&elsewhere, &stored(json!({}))));
    let with_account = sent(&new().account(CONTACT)).unwrap();
    assert!(
        !matches(&with_account, &stored(json!({}))),
        "the account is not linked"
    );
}

#[test]
fn date_times_match_as_instants_whatever_their_offset() {
    assert!(same_instant(
        &json!("2026-01-05T10:00:00+01:00"),
        &json!("2026-01-05T09:00:00Z")
    ));
    assert!(!same_instant(
        &json!("2026-01-05T10:00:00Z"),
        &json!("2026-01-05T09:00:00Z")
    ));
    assert!(!same_instant(&json!("not a time"), &json!("not a time")));
}

#[test]
fn each_reason_reads_as_a_sentence() {
    let id = Uuid::nil();
    assert_eq!(
        Unsettled::ListLags { id }.to_string(),
        format!("the list lags: it does not show {id}, created by this run")
    );
    assert_eq!(
        Unsettled::SeveralMatches { ids: vec![id, id] }.to_string(),
        "2 interactions match"
    );
    assert!(Unsettled::TooSoon.to_string().starts_with("too soon"));
    assert!(
        Unsettled::NoCreatedAtOrder
            .to_string()
            .contains("created_at")
    );
}
