//! The fake Ctrl Hub refuses what the spec does not allow, so a wrong client cannot pass
//! it: sent here by hand, as a wrong client would.

use ctrlhub_fake::FakeCtrlHub;
use serde_json::{Value, json};

async fn post(fake: &FakeCtrlHub, body: Value) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/v3/orgs/{}/customers/interactions",
            fake.base_url(),
            fake.org_id()
        ))
        .header("x-session-token", fake.session_token())
        .header("content-type", "application/vnd.api+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

fn create(attributes: Value, relationships: Value) -> Value {
    json!({"data": {"type": "customer-interactions", "attributes": attributes,
                    "relationships": relationships}})
}

fn valid() -> Value {
    json!({"method": "email", "direction": "inbound", "date_time": "2026-01-05T09:00:00Z"})
}

#[tokio::test]
async fn the_sdks_customer_account_relationship_is_refused_in_the_documented_shape() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let account = json!({"data": {"type": "customer-accounts", "id": ctrlhub_id()}});
    let (status, answer) = post(&fake, create(valid(), json!({"customer_account": account}))).await;
    assert_eq!(status, 400);
    let error = &answer["errors"][0];
    assert_eq!(error["status"], "400");
    assert_eq!(error["title"], "The request body is not valid");
    assert_eq!(
        error["source"]["pointer"],
        "/data/relationships/customer_account"
    );
    assert_eq!(
        error["meta"]["field"],
        "data.relationships.customer_account"
    );
    assert!(fake.interactions().is_empty());
}

fn ctrlhub_id() -> String {
    "3c90c3cc-0d44-4b50-8888-8dd25736052a".into()
}

#[tokio::test]
async fn values_the_spec_does_not_allow_are_refused_naming_them() {
    let fake = FakeCtrlHub::start().await.unwrap();
    for (attribute, value) in [
        ("date_time", json!("2026-01-05 09:00")),
        ("date_time", json!("yesterday")),
        ("contacted", json!("true")),
        ("method", json!(["email"])),
        ("direction", json!(1)),
    ] {
        let mut attributes = valid();
        attributes[attribute] = value.clone();
        let (status, answer) = post(&fake, create(attributes, json!({}))).await;
        assert_eq!(status, 400, "{attribute}: {value}");
        assert_eq!(
            answer["errors"][0]["source"]["pointer"],
            format!("/data/attributes/{attribute}"),
            "{value}"
        );
    }
    let mut wrong_type = create(valid(), json!({}));
    wrong_type["data"]["type"] = json!("interactions");
    assert_eq!(post(&fake, wrong_type).await.0, 400);
    assert!(fake.interactions().is_empty());
}

#[tokio::test]
async fn the_required_attributes_are_an_assumption_the_fake_can_drop() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let (status, answer) = post(&fake, create(json!({"notes": "n"}), json!({}))).await;
    assert_eq!(status, 400);
    assert_eq!(answer["errors"][0]["detail"], "method is required");
    fake.require_on_create(&[]);
    let (status, _) = post(&fake, create(json!({"notes": "n"}), json!({}))).await;
    assert_eq!(status, 201);
    assert_eq!(fake.interactions().len(), 1);
}

#[tokio::test]
async fn a_fake_can_be_started_on_a_given_port_organisation_and_token() {
    // A port that is free now: bind, note it, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let org: uuid::Uuid = "3c90c3cc-0d44-4b50-8888-8dd25736052a".parse().unwrap();
    let fake = FakeCtrlHub::builder()
        .port(port)
        .org_id(org)
        .session_token("dev-token")
        .start()
        .await
        .unwrap();
    assert_eq!(fake.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!((fake.org_id(), fake.session_token()), (org, "dev-token"));
    let (status, _) = post(&fake, create(valid(), json!({}))).await;
    assert_eq!(status, 201);
    // The port is taken now: a second fake on it fails to start instead of serving elsewhere.
    let taken = FakeCtrlHub::builder().port(port).start().await;
    assert!(taken.is_err());
}

#[tokio::test]
async fn a_relationship_without_data_or_of_the_wrong_type_is_refused_naming_it() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let cases = [
        (json!({"contact": {}}), "/data/relationships/contact/data"),
        (
            json!({"contact": {"meta": {}}}),
            "/data/relationships/contact/data",
        ),
        (
            json!({"contact": {"data": {"type": "contact", "id": ctrlhub_id()}}}),
            "/data/relationships/contact/data/type",
        ),
        (
            json!({"representative": {"data": {"type": "contacts", "id": ctrlhub_id()}}}),
            "/data/relationships/representative/data/type",
        ),
    ];
    for (relationships, pointer) in cases {
        let (status, answer) = post(&fake, create(valid(), relationships.clone())).await;
        assert_eq!(status, 400, "{relationships}");
        assert_eq!(
            answer["errors"][0]["source"]["pointer"], pointer,
            "{relationships}"
        );
    }
    assert!(fake.interactions().is_empty());
    // The documented type strings pass.
    let linked = json!({
        "contact": {"data": {"type": "contacts", "id": ctrlhub_id()}},
        "representative": {"data": {"type": "users", "id": ctrlhub_id()}},
        "account": {"data": {"type": "customer-accounts", "id": ctrlhub_id()}},
        "property": {"data": {"type": "properties", "id": ctrlhub_id()}},
    });
    let (status, answer) = post(&fake, create(valid(), linked)).await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn unlinking_with_null_is_not_documented_and_is_refused() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = crate::common::client_for(&fake);
    let contact = fake.contacts()[0]["id"].as_str().unwrap().to_owned();
    let created = client
        .interactions()
        .create(
            ctrlhub::NewInteraction::new()
                .method(ctrlhub::InteractionMethod::Email)
                .direction(ctrlhub::InteractionDirection::Inbound)
                .date_time(chrono::Utc::now())
                .contact(contact.as_str()),
        )
        .await
        .unwrap();
    let url = format!(
        "{}/v3/orgs/{}/customers/interactions/{}/relationships/contact",
        fake.base_url(),
        fake.org_id(),
        created.id
    );
    let patch = |body: Value| {
        reqwest::Client::new()
            .patch(url.clone())
            .header("x-session-token", fake.session_token())
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string())
            .send()
    };
    let answer = patch(json!({"data": null})).await.unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["errors"][0]["source"]["pointer"], "/data");
    assert_eq!(
        fake.interactions()[0]["relationships"]["contact"]["data"]["id"],
        contact
    );
    // Naming a contact is the documented form.
    let answer = patch(json!({"data": {"type": "contacts", "id": contact}}))
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

#[tokio::test]
async fn any_value_of_an_open_set_passes() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let mut attributes = valid();
    attributes["method"] = json!("carrier pigeon");
    attributes["status"] = json!("completed");
    let (status, answer) = post(&fake, create(attributes, json!({}))).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(fake.interactions()[0]["attributes"]["status"], "completed");
}

#[tokio::test]
async fn ids_in_urn_form_and_undeclared_query_parameters_get_the_documented_400() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let get = |path: String| {
        reqwest::Client::new()
            .get(format!(
                "{}/v3/orgs/{}{path}",
                fake.base_url(),
                fake.org_id()
            ))
            .header("x-session-token", fake.session_token())
            .send()
    };
    // The documented bare error object of a parameter problem.
    let parameter_of = |answer: Value| answer["source"]["parameter"].clone();
    let answer = get(format!("/customers/interactions/urn:uuid:{}", ctrlhub_id()))
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    assert_eq!(
        parameter_of(answer.json().await.unwrap()),
        "customer_interaction_id"
    );
    let answer = get("/customers/interactions?page[limit]=5".into())
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    assert_eq!(parameter_of(answer.json().await.unwrap()), "page[limit]");
    // The documented names pass.
    let answer = get("/customers/interactions?limit=5&filter[method]=email".into())
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    // In a body too: a relationship's id must be hyphenated.
    let urn = json!({"contact": {"data": {"type": "contacts", "id": format!("urn:uuid:{}", ctrlhub_id())}}});
    let (status, answer) = post(&fake, create(valid(), urn)).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["errors"][0]["source"]["pointer"],
        "/data/relationships/contact/data/id"
    );
}
