//! What each command does.

use std::io::Write;
use std::time::Duration;

use chrono::DateTime;
use ctrlhub::{
    Client, Error, InteractionChanges, InteractionRelated, List, Listed, NewInteraction, Page,
    SortDirection,
};
use futures::StreamExt;
use serde_json::Value;

use crate::args::{
    AuthCommand, Cli, Command, Connection, ContactListArgs, ContactsCommand, CreateArgs,
    ExportArgs, FakeArgs, GetArgs, ImportArgs, InteractionsCommand, ListArgs, MembersCommand,
    Query, UpdateArgs,
};
use crate::exit::{Exit, Failure, exit_of};
use crate::import::{self, ImportJob};
use crate::output::{Format, Record, Writer};
use crate::records;

/// The organisation `ctrlhub fake` serves unless told otherwise (the API reference's
/// example id), so that the README's examples work as written.
pub const FAKE_ORG: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
/// The session token `ctrlhub fake` accepts unless told otherwise.
pub const FAKE_TOKEN: &str = "fake-token";

/// The tracing spans of the client (and of this program) on stderr. The client never
/// puts a secret in a span or event.
pub fn trace_to_stderr() {
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target("ctrlhub", tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_target(
            "ctrlhub_cli",
            tracing_subscriber::filter::LevelFilter::DEBUG,
        );
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_span_events(FmtSpan::CLOSE)
                .with_target(true),
        )
        .with(targets)
        .try_init();
}

pub async fn run(cli: Cli) -> Result<Exit, Failure> {
    let format = Format::resolve(cli.format);
    match cli.command {
        Command::Fake(args) => fake(args).await,
        Command::Auth(AuthCommand::Check) => {
            let (client, host) = connect(&cli.connection)?;
            auth_check(&client, &cli.connection, &host, format).await
        }
        Command::Interactions(command) => {
            let (client, host) = connect(&cli.connection)?;
            match command {
                InteractionsCommand::Create(args) => {
                    let request = client.interactions().create(new_interaction(&args)?);
                    show(request, format, &host, records::interaction).await
                }
                InteractionsCommand::Get(args) => get(&client, args, format, &host).await,
                InteractionsCommand::List(args) => {
                    list_interactions(&client, args, format, &host).await
                }
                InteractionsCommand::Update(args) => update(&client, args, format, &host).await,
                InteractionsCommand::Export(args) => export(&client, args, cli.format, &host).await,
                InteractionsCommand::Import(args) => {
                    let timeout = Duration::from_secs(cli.connection.timeout.max(1));
                    import_file(&client, args, format, timeout, &host).await
                }
            }
        }
        Command::Contacts(command) => {
            let (client, host) = connect(&cli.connection)?;
            match command {
                ContactsCommand::List(args) => {
                    let list = client.contacts().list();
                    list_others(list, &args, format, &host, records::contact).await
                }
                ContactsCommand::Get(args) => {
                    let request = client.contacts().get(args.id.as_str());
                    show(request, format, &host, records::contact).await
                }
            }
        }
        Command::Members(command) => {
            let (client, host) = connect(&cli.connection)?;
            match command {
                MembersCommand::List(args) => {
                    let list = client.members().list();
                    list_others(list, &args, format, &host, records::member).await
                }
                MembersCommand::Get(args) => {
                    let request = client.members().get(args.id.as_str());
                    show(request, format, &host, records::member).await
                }
            }
        }
    }
}

/// A setting given as a flag or variable; empty counts as not given.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// The client the flags and variables describe, and the host to name in messages.
fn connect(c: &Connection) -> Result<(Client, String), Failure> {
    let base_url = given(&c.base_url).unwrap_or(ctrlhub::Endpoints::PRODUCTION.api);
    let host = host_of(base_url);
    let refuse = Failure::refused;
    let mut builder = Client::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(c.timeout.max(1)))
        .on_wait(crate::output::show_wait);
    match given(&c.org_id) {
        Some(org) => builder = builder.organisation_id(org),
        None => return Err(refuse("--org-id (CTRLHUB_ORG_ID)", "is not set")),
    }
    builder = match (
        given(&c.session_token),
        given(&c.client_id),
        given(&c.client_secret),
    ) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(refuse(
                "--session-token (CTRLHUB_SESSION_TOKEN)",
                "give either it or --client-id and --client-secret, not both",
            ));
        }
        (Some(token), None, None) => builder.session_token(token),
        (None, Some(id), Some(secret)) => builder.client_credentials(id, secret),
        (None, Some(_), None) => {
            return Err(refuse(
                "--client-secret (CTRLHUB_CLIENT_SECRET)",
                "is not set",
            ));
        }
        (None, None, Some(_)) => {
            return Err(refuse("--client-id (CTRLHUB_CLIENT_ID)", "is not set"));
        }
        (None, None, None) => {
            return Err(refuse(
                "--session-token (CTRLHUB_SESSION_TOKEN)",
                "is not set (nor are --client-id and --client-secret)",
            ));
        }
    };
    if let Some(url) = given(&c.auth_url) {
        builder = builder.token_url(url);
    }
    let client = builder.build().map_err(|e| Failure::api(&e, &host))?;
    Ok((client, host))
}

/// `host[:port]` of a URL, for messages.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // Never a user:password@ part in a message.
    authority.rsplit('@').next().unwrap_or(authority).to_owned()
}

/// Sends a request for one resource and writes it.
async fn show<T>(
    request: impl std::future::IntoFuture<Output = Result<T, Error>>,
    format: Format,
    host: &str,
    record: fn(&T) -> Record,
) -> Result<Exit, Failure> {
    let item = request.await.map_err(|e| Failure::api(&e, host))?;
    one(format, record(&item))
}

fn one(format: Format, record: Record) -> Result<Exit, Failure> {
    let mut out = Writer::new(std::io::stdout().lock(), format, true);
    out.write(&record).map_err(write_failed)?;
    out.finish().map_err(write_failed)?;
    Ok(Exit::Success)
}

fn write_failed(e: std::io::Error) -> Failure {
    Failure::local(format!("could not write the output: {e}"))
}

fn bool_flag(flag: &str, value: &str) -> Result<bool, Failure> {
    records::parse_contacted(value).map_err(|reason| Failure::refused(&format!("--{flag}"), reason))
}

fn date_flag(flag: &str, value: &str) -> Result<DateTime<chrono::FixedOffset>, Failure> {
    records::parse_date_time(value).map_err(|reason| Failure::refused(&format!("--{flag}"), reason))
}

/// The interaction the flags describe, checked as an import row is (the same columns,
/// the same rules), with errors naming the flag.
fn new_interaction(args: &CreateArgs) -> Result<NewInteraction, Failure> {
    let row = records::Row {
        line: 0,
        cells: records::IMPORTED_COLUMNS
            .iter()
            .map(|column| flag_for(args, column).cloned().unwrap_or_default())
            .collect(),
    };
    row.to_new(new_values(args.allow_new_values)).map_err(|e| {
        let column = e.column.unwrap_or_default().replace('_', "-");
        Failure::refused(&format!("--{column}"), e.reason)
    })
}

fn new_values(allow: bool) -> records::NewValues {
    if allow {
        records::NewValues::Send
    } else {
        records::NewValues::Refuse
    }
}

/// The value of the `create` flag for an imported column; `None` for a column that has
/// no flag (a column the importer learns before `create` does is left unset, not read
/// from another flag).
fn flag_for<'a>(args: &'a CreateArgs, column: &str) -> Option<&'a String> {
    match column {
        "method" => args.method.as_ref(),
        "direction" => args.direction.as_ref(),
        "date_time" => args.date_time.as_ref(),
        "contacted" => args.contacted.as_ref(),
        "status" => args.status.as_ref(),
        "notes" => args.notes.as_ref(),
        "contact" => args.contact.as_ref(),
        "account" => args.account.as_ref(),
        "property" => args.property.as_ref(),
        "representative" => args.representative.as_ref(),
        _ => None,
    }
}

fn related(names: &[String]) -> Result<Vec<InteractionRelated>, Failure> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|name| {
            InteractionRelated::ALL
                .into_iter()
                .find(|r| r.as_str() == name.trim())
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        InteractionRelated::ALL.iter().map(|r| r.as_str()).collect();
                    Failure::refused(
                        "--include",
                        format!("{name:?} is not one of {}", known.join(", ")),
                    )
                })
        })
        .collect()
}

async fn get(client: &Client, args: GetArgs, format: Format, host: &str) -> Result<Exit, Failure> {
    let include = related(&args.include)?;
    let details = client
        .interactions()
        .get(args.id.as_str())
        .include(include.clone())
        .send()
        .await
        .map_err(|e| Failure::api(&e, host))?;
    let mut record = records::interaction(&details.resource);
    for relationship in include {
        record.push(
            format!("included.{relationship}"),
            details
                .related(relationship)
                .map_or(Value::Null, records::included),
        );
    }
    one(format, record)
}

fn apply_query<'a, T: Listed>(mut list: List<'a, T>, query: &Query) -> List<'a, T> {
    for (field, value) in &query.filters {
        list = list.filter(field.as_str(), value.as_str());
    }
    if let Some(sort) = &query.sort {
        list = match sort.strip_prefix('-') {
            Some(field) => list.sort(field, SortDirection::Descending),
            None => list.sort(sort.as_str(), SortDirection::Ascending),
        };
    }
    if query.unchecked_params {
        list = list.unchecked_params();
    }
    list
}

/// Pages of a list from `offset` until `limit` items, each written as it comes;
/// `record` is given the item and its page's included resources.
async fn list_pages<T: Listed>(
    list: List<'_, T>,
    limit: u32,
    offset: u64,
    format: Format,
    host: &str,
    record: impl Fn(&T, &Page<T>) -> Record,
) -> Result<Exit, Failure> {
    let mut out = Writer::new(std::io::stdout().lock(), format, false);
    let mut shown = 0u32;
    let mut offset = offset;
    let mut exit = Exit::Success;
    while shown < limit {
        let page = list
            .clone()
            .offset(offset)
            .limit((limit - shown).min(100))
            .page()
            .await
            .map_err(|e| Failure::api(&e, host))?;
        for invalid in &page.invalid {
            eprintln!("warning: {}", invalid.to_error());
            exit = Exit::Decode;
        }
        // A server that sends more than asked for still shows no more than `limit`.
        for item in page.items.iter().take((limit - shown) as usize) {
            out.write(&record(item, &page)).map_err(write_failed)?;
            shown += 1;
        }
        match page.next_offset() {
            Some(next) if next > offset && !page.items.is_empty() => offset = next,
            _ => break,
        }
    }
    out.finish().map_err(write_failed)?;
    Ok(exit)
}

async fn list_others<T: Listed>(
    list: List<'_, T>,
    args: &ContactListArgs,
    format: Format,
    host: &str,
    record: fn(&T) -> Record,
) -> Result<Exit, Failure> {
    let list = apply_query(list, &args.query);
    list_pages(list, args.limit, args.offset, format, host, |item, _| {
        record(item)
    })
    .await
}

async fn list_interactions(
    client: &Client,
    args: ListArgs,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    let include = related(&args.include)?;
    let list = apply_query(client.interactions().list(), &args.query).include(include.clone());
    list_pages(list, args.limit, args.offset, format, host, |item, page| {
        let mut record = records::interaction(item);
        for relationship in &include {
            let linked = item.link(*relationship).and_then(|link| page.related(link));
            record.push(
                format!("included.{relationship}"),
                linked.map_or(Value::Null, records::included),
            );
        }
        record
    })
    .await
}

async fn update(
    client: &Client,
    args: UpdateArgs,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    let fail = |e: Error| Failure::api(&e, host);
    let mut changes = InteractionChanges::new();
    let mut attributes = false;
    if let Some(v) = &args.date_time {
        changes = changes.date_time(date_flag("date-time", v)?);
        attributes = true;
    }
    if let Some(v) = &args.contacted {
        changes = changes.contacted(bool_flag("contacted", v)?);
        attributes = true;
    }
    if let Some(v) = &args.notes {
        changes = changes.notes(v.as_str());
        attributes = true;
    }
    let relinks = [&args.contact, &args.account, &args.representative];
    if !attributes && relinks.iter().all(|r| r.is_none()) {
        return Err(Failure {
            exit: Exit::Usage,
            message: "nothing to change: give --date-time, --contacted, --notes, --contact, \
                      --account or --representative"
                .to_owned(),
        });
    }
    let interactions = client.interactions();
    let id = args.id.as_str();
    let mut stored = None;
    if attributes {
        stored = Some(
            interactions
                .update(id, changes)
                .send()
                .await
                .map_err(fail)?,
        );
    }
    if let Some(contact) = &args.contact {
        interactions
            .set_contact(id, contact.as_str())
            .send()
            .await
            .map_err(fail)?;
    }
    if let Some(account) = &args.account {
        interactions
            .set_account(id, account.as_str())
            .send()
            .await
            .map_err(fail)?;
    }
    if let Some(member) = &args.representative {
        interactions
            .set_representative(id, member.as_str())
            .send()
            .await
            .map_err(fail)?;
    }
    let stored = match stored {
        Some(stored) if relinks.iter().all(|r| r.is_none()) => stored,
        // Relinked: show the interaction as it is now.
        _ => interactions.get(id).await.map_err(fail)?,
    };
    one(format, records::interaction(&stored))
}

/// The format of an export: asked for, or from the file's extension, or the default.
fn export_format(asked: Option<Format>, out: Option<&std::path::Path>) -> Format {
    if let Some(format) = asked {
        return format;
    }
    let extension = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_lowercase);
    match extension.as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(_) => Format::Jsonl,
        None if out.is_some() => Format::Jsonl,
        None => Format::resolve(None),
    }
}

async fn export(
    client: &Client,
    args: ExportArgs,
    asked: Option<Format>,
    host: &str,
) -> Result<Exit, Failure> {
    let format = export_format(asked, args.out.as_deref());
    let fail = |e: Error| Failure::api(&e, host);
    // The total, when Ctrl Hub gives it, for the progress bar: one small page.
    let first = apply_query(client.interactions().list(), &args.query)
        .limit(1)
        .page()
        .await
        .map_err(fail)?;
    let bar = crate::output::progress(first.pagination.resources, "interactions");
    let mut all = apply_query(client.interactions().list(), &args.query)
        .limit(args.page_size.clamp(1, 100))
        .pages_in_flight(args.pages_in_flight.max(1))
        .stream();

    // Into FILE.partial, renamed when complete: a file at FILE is always whole.
    let (sink, partial): (Box<dyn Write>, Option<std::path::PathBuf>) = match &args.out {
        Some(path) => {
            let mut partial = path.clone().into_os_string();
            partial.push(".partial");
            let partial = std::path::PathBuf::from(partial);
            let file = std::fs::File::create(&partial).map_err(|e| {
                Failure::local(format!("could not create {}: {e}", partial.display()))
            })?;
            (Box::new(std::io::BufWriter::new(file)), Some(partial))
        }
        None => (Box::new(std::io::stdout().lock()), None),
    };
    let mut out = Writer::new(sink, format, false);
    let mut first_error: Option<Error> = None;
    let mut errors = 0usize;
    let mut written = 0u64;
    let mut interrupted = false;
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    let result: Result<(), Failure> = async {
        loop {
            let item = tokio::select! {
                item = all.next() => item,
                _ = &mut ctrl_c => {
                    interrupted = true;
                    break;
                }
            };
            let Some(item) = item else { break };
            match item {
                Ok(interaction) => {
                    out.write(&records::interaction(&interaction))
                        .map_err(write_failed)?;
                    written += 1;
                    crate::output::advanced(&bar, 1);
                }
                // An item that could not be decoded is one error in its place and the
                // stream goes on; a page that failed ends it.
                Err(e) => {
                    bar.suspend(|| eprintln!("error: {}", crate::exit::describe(&e, host)));
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
        Ok(())
    }
    .await;
    bar.finish_and_clear();
    // What was written is flushed whatever happened, so FILE.partial holds it.
    let finished = result.and_then(|()| out.finish().map_err(write_failed));
    let complete = finished.is_ok() && first_error.is_none() && !interrupted;
    match (&partial, &args.out) {
        (Some(partial), Some(path)) if complete => {
            std::fs::rename(partial, path).map_err(|e| {
                Failure::local(format!(
                    "could not rename {} to {}: {e}",
                    partial.display(),
                    path.display()
                ))
            })?;
        }
        // One rule for every way an export can end early: FILE.partial stays, and says so.
        (Some(partial), Some(path)) => eprintln!(
            "export incomplete ({}): {written} written to {}; {} was not written",
            if interrupted {
                "interrupted".to_owned()
            } else if finished.is_err() {
                "could not write".to_owned()
            } else {
                format!("{errors} failed")
            },
            partial.display(),
            path.display()
        ),
        _ if interrupted => eprintln!("interrupted: {written} exported"),
        _ => {}
    }
    finished?;
    if interrupted {
        return Ok(Exit::Interrupted);
    }
    eprintln!("exported {written} interactions");
    Ok(first_error.as_ref().map_or(Exit::Success, exit_of))
}

async fn import_file(
    client: &Client,
    args: ImportArgs,
    format: Format,
    timeout: Duration,
    host: &str,
) -> Result<Exit, Failure> {
    let job = ImportJob {
        file: args.file,
        input_format: args.input_format,
        journal: args.journal,
        concurrency: usize::from(args.concurrency),
        resend_unknown: args.resend_unknown,
        format,
        sync_journal: !args.no_journal_sync,
        new_values: new_values(args.allow_new_values),
        settle: !args.no_settle,
        timeout,
    };
    import::run(client, job, host).await
}

async fn auth_check(
    client: &Client,
    connection: &Connection,
    host: &str,
    format: Format,
) -> Result<Exit, Failure> {
    let page = client
        .interactions()
        .list()
        .limit(1)
        .page()
        .await
        .map_err(|e| Failure::api(&e, host))?;
    let credentials = match given(&connection.client_id) {
        // Both kinds at once were refused by `connect`.
        Some(id) => format!("service account {id}"),
        _ => "session token".to_owned(),
    };
    let mut record = Record::default();
    record.push("api", client.base_url());
    record.push("organisation", client.organisation_id().to_string());
    record.push("credentials", credentials);
    record.push(
        "interactions",
        page.pagination.resources.map_or(Value::Null, Value::from),
    );
    record.push("result", "ok");
    one(format, record)
}

/// Keeps the fake's fault queue topped up: every `every`th request fails, with each kind
/// of failure in turn.
async fn fake(args: FakeArgs) -> Result<Exit, Failure> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_imported_column_is_read_from_its_own_create_flag_and_no_other() {
        let own = |name: &str| Some(format!("value of {name}"));
        let args = CreateArgs {
            method: own("method"),
            direction: own("direction"),
            date_time: own("date_time"),
            contacted: own("contacted"),
            status: own("status"),
            notes: own("notes"),
            contact: own("contact"),
            account: own("account"),
            property: own("property"),
            representative: own("representative"),
            allow_new_values: false,
        };
        for column in records::IMPORTED_COLUMNS.iter() {
            let expected = (*column != records::EXTRA).then(|| own(column)).flatten();
            assert_eq!(flag_for(&args, column), expected.as_ref(), "{column}");
        }
        // A column with no flag is not set, whatever the other flags say.
        assert_eq!(flag_for(&args, "channel"), None);
    }

    #[test]
    fn a_host_is_named_without_scheme_path_or_credentials() {
        assert_eq!(host_of("https://api.ctrl-hub.com"), "api.ctrl-hub.com");
        assert_eq!(host_of("http://127.0.0.1:8080/v3?x#y"), "127.0.0.1:8080");
        assert_eq!(
            host_of("https://user:pw@proxy.example/path"),
            "proxy.example"
        );
        assert_eq!(host_of("no-scheme.example/x"), "no-scheme.example");
    }

    #[test]
    fn filters_are_field_equals_value() {
        assert_eq!(
            crate::args::filter_pair("method=email").unwrap(),
            ("method".to_owned(), "email".to_owned())
        );
        assert_eq!(
            crate::args::filter_pair("notes=a=b").unwrap(),
            ("notes".to_owned(), "a=b".to_owned())
        );
        assert!(crate::args::filter_pair("method").is_err());
        assert!(crate::args::filter_pair("=email").is_err());
    }

    #[test]
    fn an_export_format_follows_the_file_extension_unless_asked() {
        let path = |p: &str| Some(std::path::PathBuf::from(p));
        assert_eq!(export_format(None, path("a.CSV").as_deref()), Format::Csv);
        assert_eq!(export_format(None, path("a.json").as_deref()), Format::Json);
        assert_eq!(
            export_format(None, path("a.jsonl").as_deref()),
            Format::Jsonl
        );
        assert_eq!(export_format(None, path("a").as_deref()), Format::Jsonl);
        assert_eq!(
            export_format(Some(Format::Csv), path("a.json").as_deref()),
            Format::Csv
        );
    }

    #[test]
    fn flags_are_checked_before_anything_is_sent() {
        assert!(bool_flag("contacted", "False").is_ok_and(|b| !b));
        assert!(bool_flag("contacted", "TRUE").is_ok_and(|b| b));
        let error = bool_flag("contacted", "1").unwrap_err();
        assert_eq!(error.exit, Exit::InvalidInput);
        assert!(error.message.contains("--contacted"));
        assert!(date_flag("date-time", "2026-01-05T09:00:00Z").is_ok());
        assert!(
            date_flag("date-time", "2026-01-05")
                .unwrap_err()
                .message
                .contains("--date-time")
        );
        assert_eq!(
            related(&["contact".into(), " account".into(), String::new()]).unwrap(),
            [InteractionRelated::Contact, InteractionRelated::Account]
        );
        assert!(related(&["contacts".into()]).is_err());
    }
}
