//! Contacts, customer accounts and members end to end against the fake Ctrl Hub, and the
//! workflow they serve: find the ids an interaction needs, link it, read it back.

use ctrlhub::{
    ContactChanges, ContactRelated, InteractionRelated, NewCustomerAccount, NewInteraction,
};
use ctrlhub_fake::FakeCtrlHub;
use futures::StreamExt;
use uuid::Uuid;

use crate::common::client_for;

fn id_of(resource: &serde_json::Value) -> Uuid {
    resource["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn find_a_contact_by_email_and_a_member_then_link_and_read_back_an_interaction() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);

    let found = client
        .contacts()
        .list()
        .filter("email", "ada@example.com")
        .page()
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    let contact = &found.items[0];
    assert_eq!(contact.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(found.pagination.resources, Some(1));

    let members: Vec<ctrlhub::Member> = client
        .members()
        .list()
        .stream()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(members.len(), 2);
    let rep = members
        .iter()
        .find(|m| m.email.as_deref() == Some("rep@example.com"))
        .unwrap();
    assert_eq!(rep.profile.work["job_title"], "Customer representative");

    let property = Uuid::new_v4();
    let created = client
        .interactions()
        .create(
            NewInteraction::new()
                .method(ctrlhub::InteractionMethod::Email)
                .direction(ctrlhub::InteractionDirection::Outbound)
                .date_time(chrono::Utc::now())
                .contact(contact.id)
                .account(id_of(&fake.customer_accounts()[0]))
                .property(property)
                .representative(rep.id),
        )
        .send()
        .await
        .unwrap();
    let details = client
        .interactions()
        .get(created.id)
        .include([
            InteractionRelated::Contact,
            InteractionRelated::Representative,
            InteractionRelated::Author,
            InteractionRelated::Account,
            InteractionRelated::Property,
            InteractionRelated::Organisation,
        ])
        .send()
        .await
        .unwrap();
    let typed_contact = details.contact().unwrap().unwrap();
    assert_eq!(&typed_contact, contact);
    assert_eq!(details.representative().unwrap().unwrap().id, rep.id);
    let account = details
        .account()
        .unwrap()
        .expect("the account was included");
    assert_eq!(account.id, id_of(&fake.customer_accounts()[0]));
    assert_eq!(account.contacts, [id_of(&fake.contacts()[0])]);
    assert_eq!(InteractionRelated::Account.to_string(), "account");
    let author = details.author().unwrap().unwrap();
    assert_eq!(author.id, fake.author_id());
    assert_eq!(author.email.as_deref(), Some("author@example.com"));
}

#[tokio::test]
async fn contacts_get_and_update_change_what_the_fake_stores() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let id = id_of(&fake.contacts()[2]);
    let contact = client.contacts().get(id).send().await.unwrap();
    assert_eq!(contact.first_name.as_deref(), Some("Grace"));
    assert_eq!(contact.salutation.as_ref().map(|s| s.as_str()), Some("Dr"));

    let updated = client
        .contacts()
        .update(id, ContactChanges::new().telephone("01632 960999"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.telephone.as_deref(), Some("01632 960999"));
    assert_eq!(updated.email.as_deref(), Some("grace@example.com"), "kept");
    assert_eq!(
        fake.contacts()[2]["attributes"]["telephone"],
        "01632 960999"
    );

    let missing = client
        .contacts()
        .get(Uuid::new_v4())
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn customer_accounts_are_created_and_their_contacts_added_and_replaced() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let contacts: Vec<Uuid> = fake.contacts().iter().map(id_of).collect();
    let property = Uuid::new_v4();
    let accounts = client.customer_accounts();
    let account = accounts
        .create(
            NewCustomerAccount::new()
                .contact(contacts[1])
                .property(property),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(account.contacts, [contacts[1]]);
    assert_eq!(account.properties, [property]);
    assert_eq!(account.author, Some(fake.author_id()));
    assert_eq!(fake.customer_accounts().len(), 2);

    accounts
        .add_contacts(account.id, [contacts[2], contacts[1]])
        .send()
        .await
        .unwrap();
    let stored = |fake: &FakeCtrlHub| -> Vec<Uuid> {
        let all = fake.customer_accounts();
        let account = all.iter().find(|a| id_of(a) == account.id).unwrap();
        account["relationships"]["contacts"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect()
    };
    assert_eq!(stored(&fake), [contacts[1], contacts[2]]);

    accounts
        .set_contacts(account.id, [contacts[0]])
        .send()
        .await
        .unwrap();
    assert_eq!(stored(&fake), [contacts[0]]);

    let error = accounts
        .add_contacts(Uuid::new_v4(), [contacts[0]])
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_member_is_read_by_id_and_an_unknown_one_is_a_404() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let member = client.members().get(fake.author_id()).send().await.unwrap();
    assert_eq!(member.email.as_deref(), Some("author@example.com"));
    assert_eq!(member.organisations, [fake.org_id()]);
    let error = client
        .members()
        .get(Uuid::new_v4())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_contact_list_can_include_the_contacts_accounts() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let page = client
        .contacts()
        .list()
        .filter("email", "alan@example.com")
        .include([ctrlhub::ContactRelated::Accounts])
        .page()
        .await
        .unwrap();
    let query = fake.requests().last().unwrap().query.clone().unwrap();
    assert!(query.contains("include=accounts"), "{query}");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.included.len(), 1);
    assert_eq!(page.included[0].type_, "customer-accounts");
    assert_eq!(
        page.included[0].id.to_string(),
        fake.customer_accounts()[0]["id"].as_str().unwrap()
    );
    assert_eq!(
        ctrlhub::ContactRelated::Interactions.as_str(),
        "interactions"
    );
}

#[tokio::test]
async fn a_contact_get_can_include_its_accounts_and_author_typed() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let id = id_of(&fake.contacts()[0]);

    // Without include: the contact itself, awaited directly.
    let contact: ctrlhub::Contact = client.contacts().get(id).await.unwrap();
    assert_eq!(contact.id, id);
    let query = fake.requests().last().unwrap().query.clone();
    assert_eq!(query, None, "no include asked, none sent");

    let details: ctrlhub::ContactDetails = client
        .contacts()
        .get(id)
        .include([ContactRelated::Accounts])
        .include([ContactRelated::Author])
        .await
        .unwrap();
    let query = fake.requests().last().unwrap().query.clone().unwrap();
    assert_eq!(query, "include=accounts%2Cauthor");
    assert_eq!(details.resource, contact);
    let account_id = id_of(&fake.customer_accounts()[0]);
    assert_eq!(details.resource.accounts, [account_id]);
    let accounts: Vec<Uuid> = details
        .related_all(ContactRelated::Accounts)
        .map(|r| r.id)
        .collect();
    assert_eq!(accounts, [account_id]);
    let account: ctrlhub::CustomerAccount = details
        .related_as(ContactRelated::Accounts)
        .unwrap()
        .expect("the account was included");
    assert_eq!(account.contacts, [id]);
    let author: ctrlhub::Member = details
        .related_as(ContactRelated::Author)
        .unwrap()
        .expect("the author was included");
    assert_eq!(Some(author.id), details.resource.author);
    assert!(
        details.related(ContactRelated::Interactions).is_none(),
        "not asked"
    );
    assert_eq!(details.included().len(), 2);
    // A typed decode of the wrong kind is an error, not a silent value.
    let wrong: Result<Option<ctrlhub::Contact>, _> = details.related_as(ContactRelated::Accounts);
    assert!(wrong.is_err(), "{wrong:?}");
}

#[tokio::test]
async fn a_contact_page_finds_each_contacts_included_accounts() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let page = client
        .contacts()
        .list()
        .include([ContactRelated::Accounts])
        .page()
        .await
        .unwrap();
    let linked: Vec<(Uuid, Vec<Uuid>)> = page
        .items
        .iter()
        .map(|c| {
            (
                c.id,
                page.related_to(c, ContactRelated::Accounts)
                    .map(|r| r.id)
                    .collect(),
            )
        })
        .collect();
    for (contact, accounts) in &linked {
        let stored = page.items.iter().find(|c| c.id == *contact).unwrap();
        assert_eq!(
            accounts, &stored.accounts,
            "every linked account was included"
        );
    }
    assert!(linked.iter().any(|(_, accounts)| !accounts.is_empty()));
    assert!(
        page.related_to(&page.items[0], ContactRelated::Author)
            .next()
            .is_none(),
        "not asked for"
    );
}

#[tokio::test]
async fn every_single_operation_can_be_awaited_without_send() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let client = client_for(&fake);
    let contact = id_of(&fake.contacts()[0]);
    let member: ctrlhub::Member = client.members().get(fake.author_id()).await.unwrap();
    assert_eq!(member.id, fake.author_id());
    let created = client
        .interactions()
        .create(
            NewInteraction::new()
                .method(ctrlhub::InteractionMethod::Email)
                .direction(ctrlhub::InteractionDirection::Outbound)
                .date_time(chrono::Utc::now())
                .notes("awaited")
                .contact(contact),
        )
        .await
        .unwrap();
    let got: ctrlhub::Interaction = client.interactions().get(created.id).await.unwrap();
    assert_eq!(got, created);
    let updated = client
        .contacts()
        .update(contact, ContactChanges::new().last_name("Byron"))
        .await
        .unwrap();
    assert_eq!(updated.last_name.as_deref(), Some("Byron"));
    client
        .interactions()
        .set_contact(created.id, contact)
        .await
        .unwrap();
}
