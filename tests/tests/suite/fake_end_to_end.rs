//! End to end against the fake Ctrl Hub.

use ctrlhub::{Error, InteractionDirection, InteractionMethod, NewInteraction};
use ctrlhub_tests::FakeCtrlHub;
use uuid::Uuid;

fn client_for(fake: &FakeCtrlHub) -> ctrlhub::Client {
    ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_created_interaction_is_stored_with_its_links() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let contact = Uuid::new_v4();
    let new = NewInteraction::builder()
        .method(InteractionMethod::Telephone)
        .direction(InteractionDirection::Outbound)
        .date_time(chrono::Utc::now())
        .contacted(false)
        .notes("No answer; left a voicemail")
        .contact(contact)
        .build()
        .unwrap();
    let created = client_for(&fake).interactions().create(new).await.unwrap();

    assert_eq!(created.method, Some(InteractionMethod::Telephone));
    assert_eq!(created.contacted, Some(false));
    assert_eq!(created.contact, Some(contact));
    assert_eq!(created.author, Some(fake.author_id()));
    assert_eq!(created.organisation, Some(fake.org_id()));
    assert!(created.created_at.is_some());
    let stored = fake.interactions();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], created.id.to_string());
    assert_eq!(
        stored[0]["relationships"]["contact"]["data"]["type"],
        "contacts"
    );
    // Relationships not set are not sent at all.
    let request = &fake.requests()[0];
    let sent = request.body.as_ref().unwrap();
    assert!(sent["data"]["relationships"].get("account").is_none());
    assert!(sent["data"]["attributes"].get("status").is_none());
}

#[tokio::test]
async fn the_fakes_required_attribute_comes_back_as_an_api_error_naming_it() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let new = NewInteraction::builder()
        .method(InteractionMethod::Sms)
        .build()
        .unwrap();
    let error = client_for(&fake)
        .interactions()
        .create(new)
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.errors[0].location(), Some("data.attributes.direction"));
    assert!(fake.interactions().is_empty());
}

#[tokio::test]
async fn a_wrong_session_token_is_refused() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token("not-the-token")
        .build()
        .unwrap();
    let new = NewInteraction::builder().build().unwrap();
    let error = client.interactions().create(new).await.unwrap_err();
    assert!(
        matches!(error, Error::Auth(ctrlhub::AuthError::Rejected { .. })),
        "{error:?}"
    );
}
