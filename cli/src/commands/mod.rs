//! What each command does: [`run`] sends each command to its module.

mod auth;
mod connect;
mod directory;
mod export;
#[cfg(feature = "fake")]
mod fake;
mod import;
mod interactions;

use std::time::Duration;

use ctrlhub::{Error, List, Listed, Page, SortDirection};

use crate::args::{AuthCommand, Cli, Command, InteractionsCommand, Query};
use crate::exit::{Exit, Failure};
use crate::output::{Format, Record, Writer};
use crate::records;

use self::connect::connect;
#[cfg(feature = "fake")]
pub use self::fake::{FAKE_ORG, FAKE_TOKEN};

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

/// Runs the command the command line names.
pub async fn run(cli: Cli) -> Result<Exit, Failure> {
    let format = Format::resolve(cli.format);
    match cli.command {
        #[cfg(feature = "fake")]
        Command::Fake(args) => fake::fake(args).await,
        Command::Auth(AuthCommand::Check) => {
            let (client, host) = connect(&cli.connection)?;
            auth::check(&client, &cli.connection, &host, format).await
        }
        Command::Interactions(command) => {
            let (client, host) = connect(&cli.connection)?;
            match command {
                InteractionsCommand::Create(args) => {
                    interactions::create(&client, &args, format, &host).await
                }
                InteractionsCommand::Get(args) => {
                    interactions::get(&client, args, format, &host).await
                }
                InteractionsCommand::List(args) => {
                    interactions::list(&client, args, format, &host).await
                }
                InteractionsCommand::Update(args) => {
                    interactions::update(&client, args, format, &host).await
                }
                InteractionsCommand::Export(args) => {
                    export::export(&client, args, cli.format, &host).await
                }
                InteractionsCommand::Import(args) => {
                    let timeout = Duration::from_secs(cli.connection.timeout.max(1));
                    import::import_file(&client, args, format, timeout, &host).await
                }
            }
        }
        Command::Contacts(command) => {
            let (client, host) = connect(&cli.connection)?;
            directory::contacts(&client, command, format, &host).await
        }
        Command::Members(command) => {
            let (client, host) = connect(&cli.connection)?;
            directory::members(&client, command, format, &host).await
        }
    }
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

fn new_values(allow: bool) -> records::NewValues {
    if allow {
        records::NewValues::Send
    } else {
        records::NewValues::Refuse
    }
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
