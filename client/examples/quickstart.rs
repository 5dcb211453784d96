//! Records one customer interaction the way an integration does: finds the contact (by
//! email) and the organisation member it involved, creates the interaction linked to
//! both, and reads it back with them included.
//!
//! With `CTRLHUB_ORG_ID` and `CTRLHUB_SESSION_TOKEN` (or `CTRLHUB_CLIENT_ID` and
//! `CTRLHUB_CLIENT_SECRET`) set, and optionally `CTRLHUB_BASE_URL`, it talks to that Ctrl
//! Hub and really creates the interaction.
//! `CTRLHUB_QUICKSTART_CONTACT_EMAIL` and `CTRLHUB_QUICKSTART_MEMBER_EMAIL` pick the
//! contact and member (otherwise the first of each).
//! Without them it starts an in-process stand-in Ctrl Hub on a loopback port and says so.
//!
//! Run: `cargo run -p ctrlhub --example quickstart`

use std::process::ExitCode;

use ctrlhub::{InteractionDirection, InteractionMethod, InteractionRelated, NewInteraction};
use futures::StreamExt;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    use ctrlhub::EnvVar;
    let configured = [
        EnvVar::OrgId,
        EnvVar::SessionToken,
        EnvVar::ClientId,
        EnvVar::ClientSecret,
    ]
    .iter()
    .any(|var| std::env::var_os(var.name()).is_some());
    // Keeps the stand-in server running until the end of `run`.
    let mut _stand_in = None;
    let client = if configured {
        let client = ctrlhub::Client::from_env()?;
        println!("Using Ctrl Hub at {}", client.base_url());
        client
    } else {
        let fake = ctrlhub_fake::FakeCtrlHub::start().await?;
        println!(
            "No CTRLHUB_* credentials set: using an in-process stand-in Ctrl Hub at {}",
            fake.base_url()
        );
        let client = ctrlhub::Client::builder()
            .base_url(fake.base_url())
            .organisation_id(fake.org_id())
            .session_token(fake.session_token())
            .build()?;
        _stand_in = Some(fake);
        client
    };

    // 1. Find the contact the interaction was with, by email.
    let email = std::env::var("CTRLHUB_QUICKSTART_CONTACT_EMAIL")
        .ok()
        .or_else(|| (!configured).then(|| "alan@example.com".to_owned()));
    let mut contacts = client.contacts().list().limit(1);
    if let Some(email) = &email {
        contacts = contacts.filter("email", email);
    }
    let contact = contacts.page().await?.items.into_iter().next();
    match &contact {
        Some(contact) => println!(
            "Found contact {} ({} {})",
            contact.id,
            contact.first_name.as_deref().unwrap_or("?"),
            contact.last_name.as_deref().unwrap_or("?")
        ),
        None => println!(
            "No contact found{}",
            match &email {
                Some(email) => format!(" with email {email}"),
                None => String::new(),
            }
        ),
    }

    // 2. Find the organisation member who represented the organisation.
    let wanted = std::env::var("CTRLHUB_QUICKSTART_MEMBER_EMAIL")
        .ok()
        .or_else(|| (!configured).then(|| "rep@example.com".to_owned()));
    let mut members = client.members().list().limit(50).stream();
    let mut representative = None;
    while let Some(member) = members.next().await {
        let member = member?;
        let matches = wanted.is_none() || member.email == wanted;
        if matches {
            representative = Some(member);
            break;
        }
    }
    if let Some(member) = &representative {
        println!(
            "Found member {} ({})",
            member.id,
            member.email.as_deref().unwrap_or("no email")
        );
    }

    // 3. Record the interaction, linked to both.
    let mut new = NewInteraction::new()
        .method(InteractionMethod::Email)
        .direction(InteractionDirection::Outbound)
        .date_time(chrono::Utc::now())
        .contacted(true)
        .notes("Sent the annual service reminder (ctrlhub quickstart)");
    if let Some(contact) = &contact {
        new = new.contact(contact.id);
    }
    if let Some(member) = &representative {
        new = new.representative(member.id);
    }
    let created = client.interactions().create(new).send().await?;
    println!("Created customer interaction {}", created.id);

    // 4. Read it back with the contact and the representative included.
    let details = client
        .interactions()
        .get(created.id)
        .include([
            InteractionRelated::Contact,
            InteractionRelated::Representative,
        ])
        .send()
        .await?;
    let stored = &details.resource;
    if let Some(method) = &stored.method {
        println!("  method:         {method}");
    }
    if let Some(direction) = &stored.direction {
        println!("  direction:      {direction}");
    }
    if let Some(at) = stored.date_time {
        println!("  date_time:      {}", at.to_rfc3339());
    }
    if let Some(at) = stored.created_at {
        println!("  created_at:     {}", at.to_rfc3339());
    }
    if let Some(contact) = details.contact()? {
        println!(
            "  contact:        {} {} <{}>",
            contact.first_name.as_deref().unwrap_or("?"),
            contact.last_name.as_deref().unwrap_or("?"),
            contact.email.as_deref().unwrap_or("no email")
        );
    }
    if let Some(member) = details.representative()? {
        println!(
            "  representative: {}",
            member.email.as_deref().unwrap_or("no email")
        );
    }
    Ok(())
}
