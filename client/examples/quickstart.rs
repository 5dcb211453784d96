//! Records one customer interaction and prints what Ctrl Hub stored.
//!
//! With `CTRLHUB_ORG_ID` and `CTRLHUB_SESSION_TOKEN` (or `CTRLHUB_CLIENT_ID` and
//! `CTRLHUB_CLIENT_SECRET`) set, and optionally `CTRLHUB_BASE_URL`, it talks to that Ctrl
//! Hub and really creates the interaction.
//! Without them it starts an in-process stand-in Ctrl Hub on a loopback port and says so.
//!
//! Run: `cargo run -p ctrlhub --example quickstart`

use std::process::ExitCode;

use ctrlhub::{InteractionDirection, InteractionMethod, NewInteraction};

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
        let fake = ctrlhub_tests::FakeCtrlHub::start().await?;
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

    let new = NewInteraction::new()
        .method(InteractionMethod::Email)
        .direction(InteractionDirection::Outbound)
        .date_time(chrono::Utc::now())
        .contacted(true)
        .notes("Sent the annual service reminder (ctrlhub quickstart)");
    let created = client.interactions().create(new).await?;

    println!("Created customer interaction {}", created.id);
    if let Some(method) = &created.method {
        println!("  method:     {method}");
    }
    if let Some(direction) = &created.direction {
        println!("  direction:  {direction}");
    }
    if let Some(at) = created.date_time {
        println!("  date_time:  {}", at.to_rfc3339());
    }
    if let Some(at) = created.created_at {
        println!("  created_at: {}", at.to_rfc3339());
    }
    Ok(())
}
