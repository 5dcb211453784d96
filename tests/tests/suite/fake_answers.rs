//! Every operation of the fake, sent over HTTP as any client would, and each of its
//! answers (successes and refusals) checked against the spec's response schema.

use ctrlhub_fake::{FakeCtrlHub, check_answer};
use serde_json::{Value, json};

/// Sends `method path` with `body` and checks the answer against the spec; the status.
async fn checked(
    fake: &FakeCtrlHub,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/v3/orgs/{}{path}", fake.base_url(), fake.org_id());
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .header("x-session-token", fake.session_token());
    if let Some(body) = body {
        request = request
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string());
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    let body: Option<Value> = (!text.is_empty()).then(|| serde_json::from_str(&text).unwrap());
    let full = format!(
        "/v3/orgs/{}{}",
        fake.org_id(),
        path.split('?').next().unwrap()
    );
    if let Err(problem) = check_answer(method, &full, status, body.as_ref()) {
        panic!("{method} {path} answered {status} outside the spec: {problem}\n{text}");
    }
    (status, body.unwrap_or(Value::Null))
}

fn id_of(resource: &Value) -> String {
    resource["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_answer_of_the_fake_is_one_the_spec_documents() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(3);
    let contact = id_of(&fake.contacts()[0]);
    let account = id_of(&fake.customer_accounts()[0]);
    let member = fake.author_id().to_string();
    let new = json!({"data": {"type": "customer-interactions",
        "attributes": {"method": "email", "direction": "inbound",
                       "date_time": "2026-01-05T09:00:00Z", "notes": "n"},
        "relationships": {"contact": {"data": {"type": "contacts", "id": contact}}}}});
    let (status, created) = checked(&fake, "POST", "/customers/interactions", Some(new)).await;
    assert_eq!(status, 201);
    let interaction = id_of(&created["data"]);
    let every = [
        (
            "GET",
            "/customers/interactions?limit=2&include=contact,author".to_owned(),
            None,
        ),
        (
            "GET",
            "/customers/interactions?filter[method]=email&sort=-date_time".into(),
            None,
        ),
        (
            "GET",
            format!(
                "/customers/interactions/{interaction}?include=contact,account,representative,author,organisation,property"
            ),
            None,
        ),
        (
            "PUT",
            format!("/customers/interactions/{interaction}"),
            Some(
                json!({"data": {"type": "customer-interactions", "id": interaction,
                                 "attributes": {"contacted": true}}}),
            ),
        ),
        (
            "PATCH",
            format!("/customers/interactions/{interaction}/relationships/representative"),
            Some(json!({"data": {"type": "users", "id": member}})),
        ),
        (
            "PATCH",
            format!("/customers/interactions/{interaction}/relationships/account"),
            Some(json!({"data": {"type": "customer-accounts", "id": account}})),
        ),
        (
            "GET",
            "/customers/contacts?include=accounts,author".into(),
            None,
        ),
        (
            "GET",
            format!("/customers/contacts/{contact}?include=accounts,interactions"),
            None,
        ),
        (
            "PUT",
            format!("/customers/contacts/{contact}"),
            Some(json!({"data": {"type": "contacts", "id": contact,
                                 "attributes": {"telephone": "01632 960000"}}})),
        ),
        (
            "POST",
            "/customers/accounts".into(),
            Some(
                json!({"data": {"type": "customer-accounts", "relationships": {
                "contacts": {"data": [{"type": "contacts", "id": contact}]},
                "properties": {"data": []}}}}),
            ),
        ),
        (
            "POST",
            format!("/customers/accounts/{account}/relationships/contacts"),
            Some(json!({"data": [{"type": "contacts", "id": contact}]})),
        ),
        (
            "PATCH",
            format!("/customers/accounts/{account}/relationships/contacts"),
            Some(json!({"data": [{"type": "contacts", "id": contact}]})),
        ),
        ("GET", "/iam/members?sort=email".into(), None),
        ("GET", format!("/iam/members/{member}"), None),
        // Refusals are documented answers too.
        (
            "GET",
            "/customers/interactions/3c90c3cc-0d44-4b50-8888-8dd25736052a".into(),
            None,
        ),
        ("GET", "/customers/interactions?page[limit]=2".into(), None),
        (
            "GET",
            "/customers/interactions?filter[methd]=email".into(),
            None,
        ),
        (
            "POST",
            "/customers/interactions".into(),
            Some(json!({"data": {"type": "customer-interactions", "attributes": {}}})),
        ),
    ];
    let mut statuses = Vec::new();
    for (method, path, body) in every {
        statuses.push(checked(&fake, method, &path, body).await.0);
    }
    assert_eq!(
        statuses,
        [
            200, 200, 200, 200, 200, 204, 200, 200, 200, 201, 204, 200, 200, 200, 404, 400, 400,
            400
        ],
        "every operation was exercised, successes and refusals"
    );
}

#[test]
fn an_answer_outside_the_spec_is_named() {
    let path = "/v3/orgs/3c90c3cc-0d44-4b50-8888-8dd25736052a/iam/members/3c90c3cc-0d44-4b50-8888-8dd25736052a";
    let wrong = json!({"data": {"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}});
    let problem = check_answer("GET", path, 200, Some(&wrong)).unwrap_err();
    assert!(
        problem.starts_with("/data/type: type is required"),
        "{problem}"
    );
    assert!(
        check_answer("GET", path, 302, None)
            .unwrap_err()
            .contains("does not document a 302")
    );
}
