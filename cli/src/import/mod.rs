//! `ctrlhub interactions import`: rows of a CSV, JSON-lines or JSON-array file, created
//! through the bulk path, each outcome journaled. In four rooms: [`read`] reads the file
//! a row at a time, [`plan`] decides from the journal what each row needs, [`send`] sends
//! and records them, and [`settle`] looks up the rows whose outcome is unknown. Nothing
//! grows with the file but the journal's compact key and state per row.

mod plan;
mod read;
mod report;
mod send;
mod settle;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ctrlhub::{Client, Error, Outcome, TransportErrorKind};

use crate::exit::{Exit, Failure};
use crate::journal::Journal;
use crate::output::Format;
use crate::records::NewValues;
use plan::Planner;
use report::Ledger;

/// The import file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// CSV with a header row of column names.
    Csv,
    /// One JSON object a line, with the same names.
    Jsonl,
    /// A JSON array of such objects (what `export --format json` writes).
    Json,
}

/// What `import` was asked to do.
#[derive(Debug)]
pub struct ImportJob {
    pub file: PathBuf,
    pub input_format: Option<InputFormat>,
    pub journal: Option<PathBuf>,
    pub concurrency: usize,
    pub resend_unknown: bool,
    pub format: Format,
    /// Whether each `sending` record reaches the disk before its request goes: always,
    /// but in the import benchmark's comparison (`--no-journal-sync`).
    pub sync_journal: bool,
    /// What a `method` or `direction` this version does not know gets.
    pub new_values: NewValues,
    /// Whether rows of unknown outcome are looked up at the end (with a journal).
    pub settle: bool,
    /// The time allowed for one attempt of a request.
    pub timeout: std::time::Duration,
}

/// Runs an import; the exit code says how it ended.
pub async fn run(client: &Client, job: ImportJob, host: &str) -> Result<Exit, Failure> {
    // Locked before anything is read or sent: a second import of the same journal stops
    // here.
    let journal = match &job.journal {
        Some(path) => {
            let mut journal = Journal::open(path)?;
            journal.set_durable(job.sync_journal);
            Some(journal)
        }
        None => None,
    };
    import(client, job, journal, host).await
}

/// Runs an import with its journal open. A regular file is checked whole first (read,
/// not held), so that a file that breaks off sends nothing, then read again as it is
/// sent; a pipe can be read only once, so it is read as it is sent.
async fn import(
    client: &Client,
    job: ImportJob,
    journal: Option<Journal>,
    host: &str,
) -> Result<Exit, Failure> {
    let (file, format) = (job.file.clone(), job.input_format);
    let read::Opened { rows, total } =
        tokio::task::spawn_blocking(move || read::open(&file, format))
            .await
            .map_err(|e| Failure::local(format!("could not read {}: {e}", job.file.display())))??;
    let settling = job.settle && journal.is_some();
    let planner = Planner::new(
        journal.as_ref().map(Journal::format),
        job.new_values,
        job.resend_unknown,
        settling,
    );
    let journal = Arc::new(Mutex::new(journal));
    let ledger = Ledger::new(job.format, total, settling);
    let sent = send::send_all(client, &job, rows, total, planner, journal.clone(), ledger).await;
    let send::Sent {
        mut ledger,
        interrupted,
        stopping_error,
        run_started,
        signals,
    } = sent;
    // Ctrl-C is watched until the import ends: a second one quits at once.
    let _watching = AbortOnDrop(signals);
    if let Some(journal) = lock(&journal).as_ref() {
        journal.sync()?;
    }
    let stopped_early =
        interrupted || stopping_error.is_some() || ledger.counts.not_started > 0 || ledger.failed();
    let settled = if settling && !ledger.to_settle.is_empty() && !stopped_early {
        Some(settle_unknown(client, &journal, &mut ledger, run_started, job.timeout).await?)
    } else {
        None
    };
    let failure = ledger.finish(job.journal.is_some(), settled.as_deref());
    if let Some(failure) = failure {
        return Err(failure);
    }
    if interrupted {
        eprintln!("interrupted: run the same command again to send the rows not started");
        return Ok(Exit::Interrupted);
    }
    if let Some(error) = stopping_error {
        return Err(Failure::api(&error, host));
    }
    Ok(ledger.exit())
}

/// Settles the rows of unknown outcome, records what became of them in the ledger, and
/// returns the summary line.
async fn settle_unknown(
    client: &Client,
    journal: &Mutex<Option<Journal>>,
    ledger: &mut Ledger,
    run_started: Option<chrono::DateTime<chrono::Utc>>,
    timeout: std::time::Duration,
) -> Result<String, Failure> {
    let rows = std::mem::take(&mut ledger.to_settle);
    let count = rows.len();
    let known = settle::Known {
        controls: ledger.controls.drain(..).collect(),
        // Every interaction the journal gives a row: never taken for another row's.
        claimed: lock(journal)
            .as_ref()
            .map(|j| j.created_ids().collect())
            .unwrap_or_default(),
        run_started,
    };
    let done = settle::settle(client, journal, rows, known, timeout).await?;
    if let Some(journal) = lock(journal).as_ref() {
        journal.sync()?;
    }
    ledger.settled(&done);
    Ok(format!(
        "settled {count} rows of unknown outcome: {} found created, {} not stored and sent \
         again ({} created, {} refused), {} still unknown",
        done.found.len(),
        done.resent.len() + done.refused.len(),
        done.resent.len(),
        done.refused.len(),
        done.unknown.len()
    ))
}

/// A failure that every other row would meet too: refused credentials, or a host that
/// cannot be reached. The import stops starting rows instead of failing each one.
fn stops_the_import(error: &Error) -> bool {
    match error {
        Error::Auth(_) => true,
        Error::Transport(t) => {
            t.kind == TransportErrorKind::Connect && t.outcome == Outcome::NotSent
        }
        _ => false,
    }
}

/// Stops a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a mutex holds, whoever panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Kept, KeyFormat, State};
    use crate::records::{IMPORTED_COLUMNS, Row};
    use serde_json::Value;
    use std::path::Path;

    /// The fake Ctrl Hub and a client of it.
    async fn fake_and_client() -> (ctrlhub_fake::FakeCtrlHub, Client) {
        let fake = ctrlhub_fake::FakeCtrlHub::start().await.unwrap();
        let client = Client::builder()
            .base_url(fake.base_url())
            .organisation_id(fake.org_id())
            .session_token(fake.session_token())
            .build()
            .unwrap();
        (fake, client)
    }

    /// `rows` calls, as a CSV file in `dir`.
    fn calls_csv(dir: &Path, rows: usize) -> PathBuf {
        let mut text = String::from("method,direction,date_time,notes\n");
        for i in 0..rows {
            text.push_str(&format!(
                "telephone,inbound,2026-02-01T10:00:00Z,call {i}\n"
            ));
        }
        let path = dir.join("calls.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn job(file: PathBuf, journal: &Path, concurrency: usize) -> ImportJob {
        ImportJob {
            file,
            input_format: None,
            journal: Some(journal.to_owned()),
            concurrency,
            resend_unknown: false,
            format: Format::Jsonl,
            sync_journal: true,
            new_values: NewValues::Refuse,
            settle: true,
            timeout: std::time::Duration::from_secs(30),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_row_is_on_disk_as_sending_before_its_request_reaches_ctrl_hub() {
        let (fake, client) = fake_and_client().await;
        let dir = tempfile::tempdir().unwrap();
        let (rows, concurrency) = (40, 4);
        let file = calls_csv(dir.path(), rows);
        let path = dir.path().join("calls.journal");
        let mut journal = Journal::open(&path).unwrap();
        let syncs = Arc::new(Mutex::new(Vec::new()));
        let seen = syncs.clone();
        journal.on_synced(move |covers| {
            seen.lock()
                .unwrap()
                .push((std::time::Instant::now(), covers));
            Ok(())
        });

        let exit = import(
            &client,
            job(file, &path, concurrency),
            Some(journal),
            "fake",
        )
        .await
        .unwrap();
        assert_eq!(exit, Exit::Success);

        // The journal's entries in the order they were written; the n-th (from 0) is on
        // disk once a sync covering more than n entries has completed.
        let text = std::fs::read_to_string(&path).unwrap();
        let entries: Vec<Value> = text
            .lines()
            .skip(1)
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let syncs = syncs.lock().unwrap().clone();
        let requests = fake.api_requests();
        // One small list first, for Ctrl Hub's clock in the `sending` records; then the
        // creates.
        assert_eq!(requests[0].method, "GET");
        assert!(
            entries
                .iter()
                .all(|e| e["state"] != "sending" || e["server_date"].is_string())
        );
        let requests: Vec<_> = requests.into_iter().skip(1).collect();
        assert_eq!(requests.len(), rows);
        assert!(requests.iter().all(|r| r.method == "POST"));
        for request in &requests {
            let notes = request.body.as_ref().unwrap()["data"]["attributes"]["notes"]
                .as_str()
                .unwrap();
            let line = notes.trim_start_matches("call ").parse::<u64>().unwrap() + 2;
            let sending = entries
                .iter()
                .position(|e| e["line"] == line && e["state"] == "sending")
                .unwrap_or_else(|| panic!("no sending record for line {line}"));
            let durable = syncs
                .iter()
                .filter(|(_, covers)| *covers > sending as u64)
                .map(|(at, _)| *at)
                .min()
                .unwrap_or_else(|| panic!("line {line}'s record was never synced"));
            assert!(
                durable < request.received_at,
                "line {line} reached Ctrl Hub before its record was on disk"
            );
        }
        // One sync a batch of `concurrency` rows, not one a row.
        assert_eq!(syncs.len(), rows / concurrency, "{syncs:?}");
        let created = entries.iter().filter(|e| e["state"] == "created").count();
        assert_eq!(created, rows);
    }

    /// The journal key of row `i` of [`calls_csv`].
    fn call_key(i: usize) -> String {
        let row = Row {
            line: 0,
            cells: IMPORTED_COLUMNS
                .iter()
                .map(|c| match *c {
                    "method" => "telephone".to_owned(),
                    "direction" => "inbound".to_owned(),
                    "date_time" => "2026-02-01T10:00:00Z".to_owned(),
                    "notes" => format!("call {i}"),
                    _ => String::new(),
                })
                .collect(),
        };
        format!("{}#0", row.key(KeyFormat::V2))
    }

    /// Imports 12 rows at 3 in flight with the second batch's sync failing; `before` is
    /// each row's state in the journal beforehand. Returns each row's state after, and
    /// which rows were stored.
    async fn import_with_a_failing_sync(before: Option<State>) -> (Vec<Option<Kept>>, Vec<usize>) {
        let (fake, client) = fake_and_client().await;
        let dir = tempfile::tempdir().unwrap();
        let file = calls_csv(dir.path(), 12);
        let path = dir.path().join("calls.journal");
        let mut journal = Journal::open(&path).unwrap();
        let mut written = 0;
        if let Some(before) = &before {
            let rows: Vec<_> = (0..12).map(|i| (call_key(i), i as u64 + 2)).collect();
            let rows = rows.iter().map(|(k, l)| (k.as_str(), *l, before.clone()));
            journal.record_all(rows, None).unwrap();
            written = 12;
        }
        // The second batch's sync (the one covering its entries) fails, whichever
        // finishes first: it and every later batch stay unsent.
        journal.on_synced(move |covers| match covers - written {
            6 => Err(std::io::Error::other("the disk is gone")),
            _ => Ok(()),
        });
        let mut job = job(file, &path, 3);
        job.resend_unknown = before.is_some();
        let failure = import(&client, job, Some(journal), "fake")
            .await
            .unwrap_err();
        assert!(
            failure.message.contains(&format!(
                "could not write the journal {}: the disk is gone",
                path.display()
            )),
            "{}",
            failure.message
        );
        assert_eq!(failure.exit, Exit::Local);
        // The failure stops the import at once: of the first batch, the rows not yet
        // started when it came are not sent either.
        let mut stored: Vec<usize> = fake
            .interactions()
            .iter()
            .map(|r| {
                let notes = r["attributes"]["notes"].as_str().unwrap();
                notes.trim_start_matches("call ").parse().unwrap()
            })
            .collect();
        stored.sort_unstable();
        assert!(
            stored.iter().all(|i| *i < 3),
            "only the first batch may go: {stored:?}"
        );
        // A sync started for a batch that was then not sent may still hold the file (and
        // so its lock) for a moment after the import returns; a process would exit here.
        let mut tries = 0;
        let journal = loop {
            match Journal::open(&path) {
                Ok(journal) => break journal,
                Err(e) if tries < 100 && e.message.contains("another import holds") => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("{e}"),
            }
        };
        let states = (0..12).map(|i| journal.state(&call_key(i))).collect();
        // A row of unknown outcome keeps its error, whichever run recorded it.
        for i in 0..12 {
            if journal.state(&call_key(i)) == Some(Kept::Unknown) {
                assert_eq!(journal.unknown_error(&call_key(i)), Some("a 503"), "{i}");
            }
        }
        (states, stored)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_recorded_but_not_sent_when_the_journal_fails_are_recorded_as_not_sent() {
        let (states, stored) = import_with_a_failing_sync(None).await;
        for (i, state) in states.iter().enumerate() {
            match i {
                _ if stored.contains(&i) => {
                    assert!(matches!(state, Some(Kept::Created(_))), "{i}: {state:?}")
                }
                // Recorded with the first and second batches, never sent.
                0..6 => assert_eq!(state, &Some(Kept::NotSent), "{i}"),
                // The third batch is recorded only if the first was all started.
                6..9 => assert!(
                    matches!(state, Some(Kept::NotSent) | None),
                    "{i}: {state:?}"
                ),
                _ => assert_eq!(state, &None, "{i}"),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_refused_before_then_recorded_but_not_sent_become_not_sent() {
        let refused = State::Refused {
            error: "a 400".into(),
        };
        let (states, stored) = import_with_a_failing_sync(Some(refused.clone())).await;
        for (i, state) in states.iter().enumerate() {
            match i {
                _ if stored.contains(&i) => {
                    assert!(matches!(state, Some(Kept::Created(_))), "{i}: {state:?}")
                }
                0..6 => assert_eq!(state, &Some(Kept::NotSent), "{i}"),
                6..9 => assert!(
                    matches!(state, Some(Kept::NotSent | Kept::Refused)),
                    "{i}: {state:?}"
                ),
                _ => assert_eq!(state, &Some(Kept::Refused), "{i}"),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_of_unknown_outcome_recorded_but_not_sent_stay_unknown() {
        // Sent again with --resend-unknown; a row the run stops before keeps its state,
        // so a rerun without the flag still does not send it.
        let unknown = State::Unknown {
            error: "a 503".into(),
        };
        let (states, stored) = import_with_a_failing_sync(Some(unknown.clone())).await;
        for (i, state) in states.iter().enumerate() {
            if stored.contains(&i) {
                assert!(matches!(state, Some(Kept::Created(_))), "{i}: {state:?}");
            } else {
                assert_eq!(state, &Some(Kept::Unknown), "{i}");
            }
        }
    }

    #[test]
    fn only_failures_that_every_row_would_meet_stop_an_import() {
        let auth = Error::Auth(ctrlhub::AuthError::TokenUnavailable { reason: "x".into() });
        assert!(stops_the_import(&auth));
        let input = ctrlhub::Client::builder().build().unwrap_err();
        assert!(!stops_the_import(&input));
    }
}
