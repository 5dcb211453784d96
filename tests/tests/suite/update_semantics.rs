//! The reference does not say whether a PUT keeps or clears the fields it leaves out. The
//! fake plays both; `update` must not clear an unmentioned field under either, and the
//! cheaper opt-in shows the risk its name says.

use ctrlhub::{ContactChanges, InteractionChanges, InteractionMethod, NewInteraction};
use ctrlhub_fake::{FakeCtrlHub, UpdateSemantics};

use crate::common::client_for;

async fn recorded(client: &ctrlhub::Client) -> ctrlhub::Interaction {
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").unwrap();
    client
        .interactions()
        .create(
            NewInteraction::new()
                .method(InteractionMethod::Telephone)
                .direction(ctrlhub::InteractionDirection::Inbound)
                .date_time(at)
                .contacted(false)
                .notes("Left a voicemail"),
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn update_keeps_unmentioned_fields_under_either_semantics() {
    for semantics in [UpdateSemantics::Merge, UpdateSemantics::Replace] {
        let fake = FakeCtrlHub::start().await.unwrap();
        fake.set_update_semantics(semantics);
        let client = client_for(&fake);
        let created = recorded(&client).await;
        // The README's example: two of the three updatable fields.
        let updated = client
            .interactions()
            .update(
                created.id,
                InteractionChanges::new()
                    .contacted(true)
                    .notes("Reached on the second try"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(updated.contacted, Some(true), "{semantics:?}");
        assert_eq!(updated.notes.as_deref(), Some("Reached on the second try"));
        assert_eq!(updated.date_time, created.date_time, "{semantics:?}: kept");
        let stored = &fake.interactions()[0]["attributes"];
        assert_eq!(stored["date_time"], "2026-01-05T09:00:00Z", "{semantics:?}");
    }
}

#[tokio::test]
async fn the_opt_in_single_request_clears_unmentioned_fields_under_replace_semantics() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_update_semantics(UpdateSemantics::Replace);
    let client = client_for(&fake);
    let created = recorded(&client).await;
    let updated = client
        .interactions()
        .update_may_clear_unmentioned(created.id, InteractionChanges::new().contacted(true))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.contacted, Some(true));
    assert_eq!(updated.notes, None, "cleared, as the name warns");
    assert_eq!(updated.date_time, None);
    let puts = fake.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(puts, 1);
    assert_eq!(
        fake.requests().iter().filter(|r| r.method == "GET").count(),
        0,
        "no read first"
    );
}

#[tokio::test]
async fn contact_updates_keep_unmentioned_fields_under_replace_semantics() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_update_semantics(UpdateSemantics::Replace);
    let client = client_for(&fake);
    let id: uuid::Uuid = fake.contacts()[1]["id"].as_str().unwrap().parse().unwrap();
    let updated = client
        .contacts()
        .update(id, ContactChanges::new().telephone("01632 960123"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.telephone.as_deref(), Some("01632 960123"));
    assert_eq!(updated.email.as_deref(), Some("ada@example.com"));
    assert_eq!(updated.first_name.as_deref(), Some("Ada"));
    let risky = client
        .contacts()
        .update_may_clear_unmentioned(id, ContactChanges::new().telephone("01632 960124"))
        .send()
        .await
        .unwrap();
    assert_eq!(risky.email, None, "cleared under replace semantics");
}
