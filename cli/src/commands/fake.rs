//! `ctrlhub fake`: a stand-in Ctrl Hub on loopback.

use std::io::Write;

use crate::args::FakeArgs;
use crate::exit::{Exit, Failure};

/// The organisation `ctrlhub fake` serves unless told otherwise (the API reference's
/// example id), so that the README's examples work as written.
pub const FAKE_ORG: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
/// The session token `ctrlhub fake` accepts unless told otherwise.
pub const FAKE_TOKEN: &str = "fake-token";

/// Keeps the fake's fault queue topped up: every `every`th request fails, with each kind
/// of failure in turn.
pub async fn fake(args: FakeArgs) -> Result<Exit, Failure> {
    let org: uuid::Uuid = args
        .org
        .parse()
        .map_err(|_| Failure::refused("--org", format!("{:?} is not a UUID", args.org)))?;
    if args.token.trim().is_empty() {
        return Err(Failure::refused("--token", "is empty"));
    }
    let fake = ctrlhub_fake::FakeCtrlHub::builder()
        .port(args.port)
        .org_id(org)
        .session_token(args.token.as_str())
        .start()
        .await
        .map_err(|e| Failure::local(format!("could not listen on 127.0.0.1:{}: {e}", args.port)))?;
    fake.seed_interactions(args.seed);
    let fake = std::sync::Arc::new(fake);
    if let Some(every) = args.fail_every {
        fake.fail_every(usize::try_from(every).unwrap_or(usize::MAX));
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "fake Ctrl Hub listening on {url} (Ctrl-C stops it); point ctrlhub at it with:\n\
         export CTRLHUB_BASE_URL={url}\n\
         export CTRLHUB_ORG_ID={org}\n\
         export CTRLHUB_SESSION_TOKEN={token}",
        url = fake.base_url(),
        org = fake.org_id(),
        token = fake.session_token(),
    );
    let _ = out.flush();
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::local(format!("could not wait for Ctrl-C: {e}")))?;
    eprintln!("fake Ctrl Hub stopped");
    Ok(Exit::Success)
}
