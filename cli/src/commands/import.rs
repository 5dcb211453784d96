//! `ctrlhub interactions import`: the flags made into an import job.

use std::time::Duration;

use ctrlhub::Client;

use super::new_values;
use crate::args::ImportArgs;
use crate::exit::{Exit, Failure};
use crate::import::ImportJob;
use crate::output::Format;

pub async fn import_file(
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
    crate::import::run(client, job, host).await
}
