//! The command line: every subcommand, flag and argument, with the doc comments that are
//! its `--help` text.

use std::fmt;

use clap::{Args, Parser, Subcommand};
use ctrlhub::EnvVar;

use crate::import::InputFormat;
use crate::output::Format;

const TOP_EXAMPLES: &str = "\
Examples:
  # Against a local stand-in Ctrl Hub (first run `ctrlhub fake` in another shell;
  # it is in builds with the default `fake` feature):
  export CTRLHUB_BASE_URL=http://127.0.0.1:8080
  export CTRLHUB_ORG_ID=3c90c3cc-0d44-4b50-8888-8dd25736052a
  export CTRLHUB_SESSION_TOKEN=fake-token
  ctrlhub auth check
  ctrlhub interactions list --filter method=email --sort -date_time --limit 5
  ctrlhub interactions export --out interactions.csv
  ctrlhub interactions import calls.csv --journal calls.journal --concurrency 32

Exit codes: 0 done, 1 local failure (a file), 2 usage, 3 input refused before sending,
4 authentication, 5 Ctrl Hub answered an error, 6 answer not understood, 7 Ctrl Hub not
reached or too slow, 8 some import rows failed, 9 some import rows' outcome unknown,
130 interrupted.";

/// The Ctrl Hub customer API from a shell: record, export and import customer
/// interactions, look up contacts and members.
///
/// Credentials come from the same CTRLHUB_* variables as the library's
/// `Client::from_env`, or from the flags below (prefer the variables for secrets: a flag
/// is visible to other users of the machine in the process list).
#[derive(Debug, Parser)]
#[command(name = "ctrlhub", version, after_help = TOP_EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,

    /// Output format [default: table on a terminal, jsonl otherwise].
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Show the client's tracing spans (requests, attempts, retries) on stderr. Secrets
    /// are never shown.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Where Ctrl Hub is and who is calling.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The API base URL [default: https://api.ctrl-hub.com].
    #[arg(long, global = true, env = EnvVar::BaseUrl.name(), value_name = "URL")]
    pub base_url: Option<String>,

    /// The organisation id.
    #[arg(long, global = true, env = EnvVar::OrgId.name(), value_name = "UUID")]
    pub org_id: Option<String>,

    /// A user's session token.
    #[arg(
        long,
        global = true,
        env = EnvVar::SessionToken.name(),
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub session_token: Option<Secret>,

    /// A service account's client id (with --client-secret, instead of a session token).
    #[arg(long, global = true, env = EnvVar::ClientId.name(), value_name = "ID")]
    pub client_id: Option<String>,

    /// A service account's client secret.
    #[arg(
        long,
        global = true,
        env = EnvVar::ClientSecret.name(),
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<Secret>,

    /// The OAuth2 token URL for service-account keys [default: the deployment's].
    #[arg(long, global = true, env = EnvVar::AuthUrl.name(), value_name = "URL")]
    pub auth_url: Option<String>,

    /// Seconds allowed for one attempt of a request.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

impl Connection {
    /// The value given for a library setting, as a flag or its variable (clap reads
    /// both, the flag first); the library's rules say which are needed and how they
    /// combine.
    pub fn setting(&self, var: EnvVar) -> Option<String> {
        match var {
            EnvVar::BaseUrl => self.base_url.clone(),
            EnvVar::OrgId => self.org_id.clone(),
            EnvVar::SessionToken => self.session_token.as_ref().map(|s| s.0.clone()),
            EnvVar::ClientId => self.client_id.clone(),
            EnvVar::ClientSecret => self.client_secret.as_ref().map(|s| s.0.clone()),
            EnvVar::AuthUrl => self.auth_url.clone(),
            // A variable added to the library later, with no flag yet.
            _ => None,
        }
    }
}

/// How the command line names a library setting: its flag and the variable the flag
/// reads, `--org-id (CTRLHUB_ORG_ID)`; taken from the flags above, so never out of step
/// with them.
pub fn flag_of(var: EnvVar) -> Option<String> {
    let flags = Connection::augment_args(clap::Command::new("ctrlhub"));
    let flag = flags
        .get_arguments()
        .find(|arg| arg.get_env().is_some_and(|env| env == var.name()))?
        .get_long()?;
    Some(format!("--{flag} ({var})"))
}

/// A secret given as a flag or variable: never shown, not even by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Customer interactions: create, list, get, update, export, import.
    #[command(
        subcommand,
        after_help = "Example:\n  ctrlhub interactions list --limit 10"
    )]
    Interactions(InteractionsCommand),
    /// Contacts (people at customers): list, get.
    #[command(
        subcommand,
        after_help = "Example:\n  ctrlhub contacts list --filter last_name=Lovelace"
    )]
    Contacts(ContactsCommand),
    /// Organisation members (users): list, get.
    #[command(subcommand, after_help = "Example:\n  ctrlhub members list")]
    Members(MembersCommand),
    /// Credentials.
    #[command(subcommand, after_help = "Example:\n  ctrlhub auth check")]
    Auth(AuthCommand),
    /// Serve an in-memory stand-in Ctrl Hub on 127.0.0.1 until interrupted, for trying
    /// the commands and for tests in any language.
    #[command(after_help = "Example:\n  ctrlhub fake --port 8080 --seed 250 --fail-every 50")]
    #[cfg(feature = "fake")]
    Fake(FakeArgs),
}

#[derive(Debug, Subcommand)]
pub enum InteractionsCommand {
    /// Record one interaction.
    #[command(
        after_help = "Example:\n  ctrlhub interactions create --method telephone --direction inbound \\\n    --date-time 2026-01-05T09:00:00Z --contacted true --notes 'Asked for a callback' \\\n    --contact 9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b"
    )]
    Create(CreateArgs),
    /// List interactions (one page or a few).
    #[command(
        after_help = "Example:\n  ctrlhub interactions list --filter method=email --sort -date_time --limit 20 --include contact"
    )]
    List(ListArgs),
    /// Show one interaction.
    #[command(
        after_help = "Example:\n  ctrlhub interactions get 3f1c2b9a-1d2e-4f5a-9b8c-7d6e5f4a3b2c --include contact,representative"
    )]
    Get(GetArgs),
    /// Change an interaction's date, notes or contacted flag, or relink it. Attributes not
    /// given keep their values.
    #[command(
        after_help = "Example:\n  ctrlhub interactions update 3f1c2b9a-1d2e-4f5a-9b8c-7d6e5f4a3b2c --notes 'Called back' --contacted true"
    )]
    Update(UpdateArgs),
    /// Write every interaction, streamed with several pages in flight.
    #[command(
        after_help = "Example:\n  ctrlhub interactions export --out interactions.csv --pages-in-flight 8"
    )]
    Export(ExportArgs),
    /// Create one interaction per row of a CSV or JSON-lines file (the columns an export
    /// writes), never one twice.
    ///
    /// With --journal, each row's outcome is recorded as it happens; a rerun with the same
    /// journal skips the rows created, and never resends a row whose outcome is unknown
    /// (it lists them for you to check) unless --resend-unknown says so. A malformed row
    /// is reported with its line and column, and the rest still go. Ctrl-C finishes the
    /// rows in flight, records them and exits with code 130.
    #[command(
        after_help = "Example:\n  ctrlhub interactions import calls.csv --journal calls.journal --concurrency 32"
    )]
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// letter, email, telephone or sms.
    #[arg(long)]
    pub method: Option<String>,
    /// inbound or outbound.
    #[arg(long)]
    pub direction: Option<String>,
    /// When it happened, RFC 3339 (2026-01-05T09:00:00Z).
    #[arg(long, value_name = "RFC3339")]
    pub date_time: Option<String>,
    /// Whether the customer was reached: true or false.
    #[arg(long, value_name = "BOOL")]
    pub contacted: Option<String>,
    /// The status (only `scheduled` is documented).
    #[arg(long)]
    pub status: Option<String>,
    /// Free text.
    #[arg(long)]
    pub notes: Option<String>,
    /// The contact's id.
    #[arg(long, value_name = "UUID")]
    pub contact: Option<String>,
    /// The customer account's id.
    #[arg(long, value_name = "UUID")]
    pub account: Option<String>,
    /// The property's id.
    #[arg(long, value_name = "UUID")]
    pub property: Option<String>,
    /// The representing member's (user's) id.
    #[arg(long, value_name = "UUID")]
    pub representative: Option<String>,
    /// Send a `method` or `direction` this version does not know (one Ctrl Hub has
    /// added) instead of refusing it as a likely typo.
    #[arg(long)]
    pub allow_new_values: bool,
}

/// `field=value`, for `--filter`.
pub fn filter_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("{text:?} is not field=value")),
    }
}

#[derive(Debug, Clone, Args)]
pub struct Query {
    /// Only items whose `field` is exactly `value` (repeatable; all must match).
    #[arg(long = "filter", value_name = "FIELD=VALUE", value_parser = filter_pair)]
    pub filters: Vec<(String, String)>,
    /// Sort by a field; `-field` for descending.
    #[arg(long, value_name = "[-]FIELD", allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// Use the answer even when its `meta.features` does not name a filter or sort given
    /// here (by default that is an error, since the server may have ignored it).
    #[arg(long)]
    pub unchecked_params: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub query: Query,
    /// The most items to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Skip this many items first.
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Related resources to show with each item, comma separated: contact, account,
    /// property, representative, author, organisation.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub include: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The interaction's id.
    pub id: String,
    /// Related resources to show with it, comma separated.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub include: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The interaction's id.
    pub id: String,
    /// When it happened, RFC 3339.
    #[arg(long, value_name = "RFC3339")]
    pub date_time: Option<String>,
    /// true or false.
    #[arg(long, value_name = "BOOL")]
    pub contacted: Option<String>,
    /// Free text (replaces the notes).
    #[arg(long)]
    pub notes: Option<String>,
    /// Link it to this contact.
    #[arg(long, value_name = "UUID")]
    pub contact: Option<String>,
    /// Link it to this customer account.
    #[arg(long, value_name = "UUID")]
    pub account: Option<String>,
    /// Link it to this member as representative.
    #[arg(long, value_name = "UUID")]
    pub representative: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub query: Query,
    /// Write here instead of stdout; the format follows the extension (.csv, .json,
    /// .jsonl) unless --format says otherwise. Written whole or not at all.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Page requests in flight ahead of the writer.
    #[arg(long, default_value_t = 8)]
    pub pages_in_flight: usize,
    /// Interactions a page.
    #[arg(long, default_value_t = 100)]
    pub page_size: u32,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV, JSON-lines or JSON-array file, read a row at a time (a pipe such as
    /// /dev/stdin is read once, as it is sent).
    pub file: std::path::PathBuf,
    /// The file's format [default: from the extension; .jsonl/.ndjson are JSON lines,
    /// .json a JSON array, anything else CSV].
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Record each row's outcome here, and resume from it.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<std::path::PathBuf>,
    /// Creates in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Send again the rows whose outcome the journal records as unknown (after you have
    /// checked that Ctrl Hub did not store them).
    #[arg(long)]
    pub resend_unknown: bool,
    /// Do not look up the rows whose outcome is unknown. By default, with --journal, an
    /// import looks each one up in Ctrl Hub at its end (and a rerun, those an earlier run
    /// left unknown): one found is recorded as created, one surely not stored is sent
    /// again, and the rest stay unknown, each with the reason.
    #[arg(long)]
    pub no_settle: bool,
    /// Do not wait for the disk before each batch is sent (for the import benchmark's
    /// comparison only: after a crash, a row could then be sent twice).
    #[arg(long, hide = true)]
    pub no_journal_sync: bool,
    /// Send a `method` or `direction` this version does not know (one Ctrl Hub has
    /// added) instead of refusing it as a likely typo.
    #[arg(long)]
    pub allow_new_values: bool,
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List contacts.
    #[command(after_help = "Example:\n  ctrlhub contacts list --filter email=ada@example.com")]
    List(ContactListArgs),
    /// Show one contact.
    #[command(after_help = "Example:\n  ctrlhub contacts get 9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")]
    Get(IdArg),
}

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// List organisation members.
    #[command(after_help = "Example:\n  ctrlhub members list --limit 50")]
    List(ContactListArgs),
    /// Show one member.
    #[command(after_help = "Example:\n  ctrlhub members get 5d0c6b7a-8e9f-4a1b-9c2d-3e4f5a6b7c8d")]
    Get(IdArg),
}

#[derive(Debug, Args)]
pub struct ContactListArgs {
    #[command(flatten)]
    pub query: Query,
    /// The most items to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Skip this many items first.
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
}

#[derive(Debug, Args)]
pub struct IdArg {
    /// The id.
    pub id: String,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Make one cheap authenticated call and say who and where.
    #[command(after_help = "Example:\n  ctrlhub auth check --format table")]
    Check,
}

#[cfg(feature = "fake")]
#[derive(Debug, Args)]
pub struct FakeArgs {
    /// The loopback port to listen on.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The organisation it serves.
    #[arg(long, default_value = crate::commands::FAKE_ORG)]
    pub org: String,
    /// The session token it accepts (not a secret: it opens only this fake).
    #[arg(long, default_value = crate::commands::FAKE_TOKEN)]
    pub token: String,
    /// Interactions to start with.
    #[arg(long, default_value_t = 0)]
    pub seed: usize,
    /// Fail every Nth API request, in turn with 429 (Retry-After: 1), 503, no answer at
    /// all (until the client gives up) and 502: to try imports and retries.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub fail_every: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_library_setting_has_a_flag_named_with_its_variable() {
        assert_eq!(
            flag_of(EnvVar::OrgId).as_deref(),
            Some("--org-id (CTRLHUB_ORG_ID)")
        );
        assert_eq!(
            flag_of(EnvVar::AuthUrl).as_deref(),
            Some("--auth-url (CTRLHUB_AUTH_URL)")
        );
        for var in EnvVar::ALL {
            assert!(flag_of(var).is_some(), "{var}");
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let cli = Cli::parse_from([
            "ctrlhub",
            "--session-token",
            "secret-session-1a2b",
            "--client-secret",
            "secret-client-3c4d",
            "auth",
            "check",
        ]);
        let shown = format!("{cli:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("secret-session-1a2b") && !shown.contains("secret-client-3c4d"));
        assert_eq!(
            cli.connection.setting(EnvVar::SessionToken).as_deref(),
            Some("secret-session-1a2b")
        );
    }

    #[test]
    fn filters_are_field_equals_value() {
        assert_eq!(
            super::filter_pair("method=email").unwrap(),
            ("method".to_owned(), "email".to_owned())
        );
        assert_eq!(
            super::filter_pair("notes=a=b").unwrap(),
            ("notes".to_owned(), "a=b".to_owned())
        );
        assert!(super::filter_pair("method").is_err());
        assert!(super::filter_pair("=email").is_err());
    }
}
