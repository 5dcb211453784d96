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

/// The PUT bodies the fake received, in order.
fn puts(fake: &FakeCtrlHub) -> Vec<serde_json::Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.body.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn an_attribute_the_spec_does_not_name_is_read_and_kept_by_update_on_every_server() {
    use ctrlhub_fake::UnnamedOnPut;
    for semantics in [UpdateSemantics::Merge, UpdateSemantics::Replace] {
        for on_put in [UnnamedOnPut::Accept, UnnamedOnPut::Refuse] {
            let case = format!("{semantics:?} {on_put:?}");
            let fake = FakeCtrlHub::start().await.unwrap();
            fake.set_update_semantics(semantics);
            let client = client_for(&fake);
            let created = recorded(&client).await;
            fake.hold_unnamed_attribute("priority", serde_json::json!("high"), on_put);

            let read = client.interactions().get(created.id).await.unwrap();
            assert_eq!(read.other["priority"], "high", "{case}: read");

            let updated = client
                .interactions()
                .update(created.id, InteractionChanges::new().contacted(true))
                .await
                .unwrap();
            assert_eq!(updated.contacted, Some(true), "{case}");
            assert_eq!(updated.other["priority"], "high", "{case}: kept");
            assert_eq!(
                fake.interactions()[0]["attributes"]["priority"],
                "high",
                "{case}: stored"
            );
            let sent = puts(&fake);
            // The first PUT carries it; a server that refuses it gets one more, without.
            assert_eq!(sent[0]["data"]["attributes"]["priority"], "high", "{case}");
            match on_put {
                UnnamedOnPut::Accept => assert_eq!(sent.len(), 1, "{case}"),
                UnnamedOnPut::Refuse => {
                    assert_eq!(sent.len(), 2, "{case}");
                    assert!(sent[1]["data"]["attributes"].get("priority").is_none());
                    assert_eq!(sent[1]["data"]["attributes"]["contacted"], true);
                }
            }
        }
    }
}

#[tokio::test]
async fn a_refused_update_that_names_no_carried_attribute_is_not_sent_again() {
    use ctrlhub_fake::UnnamedOnPut;
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let created = recorded(&client).await;
    fake.hold_unnamed_attribute("priority", serde_json::json!("high"), UnnamedOnPut::Accept);
    // The read passes; the PUT gets a 400 that names a known attribute, not a carried one.
    fake.push_fault(ctrlhub_fake::Fault::Pass);
    fake.push_fault(ctrlhub_fake::Fault::Status {
        status: 400,
        headers: vec![("content-type".into(), "application/vnd.api+json".into())],
        body: r#"{"errors":[{"status":"400","source":{"pointer":"/data/attributes/notes"}}]}"#
            .into(),
    });
    let error = client
        .interactions()
        .update(created.id, InteractionChanges::new().notes("x"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(puts(&fake).len(), 1, "not sent again");
    assert_eq!(
        fake.interactions()[0]["attributes"]["notes"],
        "Left a voicemail"
    );
}

#[tokio::test]
async fn the_opt_in_single_request_sends_no_unnamed_attribute_and_a_replacing_server_clears_it() {
    use ctrlhub_fake::UnnamedOnPut;
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_update_semantics(UpdateSemantics::Replace);
    let client = client_for(&fake);
    let created = recorded(&client).await;
    fake.hold_unnamed_attribute("priority", serde_json::json!("high"), UnnamedOnPut::Accept);
    client
        .interactions()
        .update_may_clear_unmentioned(created.id, InteractionChanges::new().contacted(true))
        .await
        .unwrap();
    assert!(
        puts(&fake)[0]["data"]["attributes"]
            .get("priority")
            .is_none()
    );
    assert!(
        fake.interactions()[0]["attributes"]
            .get("priority")
            .is_none(),
        "cleared"
    );
}

#[tokio::test]
async fn a_contacts_unnamed_attribute_survives_a_replacing_update_on_either_server() {
    use ctrlhub_fake::UnnamedOnPut;
    for on_put in [UnnamedOnPut::Accept, UnnamedOnPut::Refuse] {
        let fake = FakeCtrlHub::start().await.unwrap();
        fake.set_update_semantics(UpdateSemantics::Replace);
        fake.hold_unnamed_attribute("preferred_name", serde_json::json!("Ada"), on_put);
        let client = client_for(&fake);
        let id: uuid::Uuid = fake.contacts()[0]["id"].as_str().unwrap().parse().unwrap();
        let updated = client
            .contacts()
            .update(id, ContactChanges::new().telephone("01632 960001"))
            .await
            .unwrap();
        assert_eq!(updated.other["preferred_name"], "Ada", "{on_put:?}");
        assert_eq!(fake.contacts()[0]["attributes"]["preferred_name"], "Ada");
        assert_eq!(
            fake.contacts()[0]["attributes"]["telephone"],
            "01632 960001"
        );
        let expected_puts = if on_put == UnnamedOnPut::Refuse { 2 } else { 1 };
        assert_eq!(puts(&fake).len(), expected_puts, "{on_put:?}");
    }
}
