//! Helpers shared by the suites.

use serde_json::Value;

/// The organisation used against httpmock servers.
pub const ORG: &str = "5f0c7b9e-8a4e-4f4e-9b53-0d9a6c3f2e11";
/// The session token used against httpmock servers.
pub const TOKEN: &str = "test-session-token-7d1e";
/// The id every relationship of the seed examples points at.
pub const SEED_ID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
/// The JSON:API media type.
pub const JSON_API: &str = "application/vnd.api+json";

/// The create path for [`ORG`].
pub fn create_path() -> String {
    format!("/v3/orgs/{ORG}/customers/interactions")
}

/// A client for [`ORG`] with [`TOKEN`] against `base_url`.
pub fn client(base_url: &str) -> ctrlhub::Client {
    ctrlhub::Client::builder()
        .base_url(base_url)
        .organisation_id(ORG)
        .session_token(TOKEN)
        .build()
        .expect("a valid test configuration")
}

/// The seed's documented create request, verbatim.
pub fn seed_request() -> Value {
    serde_json::from_str(include_str!("../../fixtures/seed-create-request.json")).unwrap()
}

/// The seed's documented create response, verbatim.
pub fn seed_response() -> Value {
    serde_json::from_str(include_str!("../../fixtures/seed-create-response.json")).unwrap()
}

/// The seed request with its placeholders filled as the client must fill them.
pub fn seed_request_with_real_values(notes: &str) -> Value {
    let mut request = seed_request();
    let data = &mut request["data"];
    data["type"] = "customer-interactions".into();
    data["attributes"]["notes"] = notes.into();
    for (name, type_) in [
        ("contact", "contacts"),
        ("account", "customer-accounts"),
        ("property", "properties"),
        ("representative", "users"),
    ] {
        data["relationships"][name]["data"]["type"] = type_.into();
    }
    request
}

/// The new interaction the seed request describes.
pub fn seed_interaction(notes: &str) -> ctrlhub::NewInteraction {
    use ctrlhub::{InteractionDirection, InteractionMethod, InteractionStatus};
    ctrlhub::NewInteraction::new()
        .method(InteractionMethod::Email)
        .direction(InteractionDirection::Inbound)
        .date_time(chrono::DateTime::parse_from_rfc3339("2023-11-07T05:31:56Z").unwrap())
        .contacted(true)
        .status(InteractionStatus::Scheduled)
        .notes(notes)
        .contact(SEED_ID)
        .account(SEED_ID)
        .property(SEED_ID)
        .representative(SEED_ID)
}

/// A session-token client for the fake Ctrl Hub `fake`.
pub fn client_for(fake: &ctrlhub_fake::FakeCtrlHub) -> ctrlhub::Client {
    ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .expect("a valid test configuration")
}
