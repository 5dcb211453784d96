//! Sending the planned rows through `create_many`, as the file is read: each batch is
//! recorded as `sending` (and on disk) before its requests go, each outcome as it comes.
//! Only the rows in flight are held.

use std::collections::HashMap;
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ctrlhub::{Client, Created, Error, NewInteraction};
use futures::StreamExt;
use serde_json::Value;

use super::plan::{Pending, Plan, Planner};
use super::read::{ReadRow, Rows};
use super::report::{Ledger, ServerDate};
use super::{ImportJob, lock, stops_the_import};
use crate::exit::{Exit, Failure};
use crate::journal::{Journal, State};

/// How many read rows wait for the sender at most.
const READ_AHEAD: usize = 256;

/// How the sending ended.
pub struct Sent {
    pub ledger: Ledger,
    /// Ctrl-C stopped it.
    pub interrupted: bool,
    /// A failure every row would meet stopped it.
    pub stopping_error: Option<Error>,
    /// Ctrl Hub's time before the first row of this run was sent.
    pub run_started: Option<ServerDate>,
    /// The task that watches for Ctrl-C; to abort when the import ends.
    pub signals: tokio::task::JoinHandle<()>,
}

/// A row sent, until its outcome is recorded.
struct Flight {
    key: String,
    line: u64,
    /// The state it goes back to if it is recorded as `sending` but never sent: what an
    /// earlier run left (a row of unknown outcome, sent with `--resend-unknown`), or
    /// `not_sent`.
    restore: State,
    /// What it asks for, kept while settling (a control, or a row to look up).
    new: Option<NewInteraction>,
}

/// What the reading side and the sending side share.
struct Run {
    ledger: Ledger,
    flights: HashMap<usize, Flight>,
    /// The index the next row sent gets.
    next: usize,
    /// Rows `0..announced` were recorded as `sending` (or tried to be).
    announced: usize,
    run_started: Option<ServerDate>,
    stopping_error: Option<Error>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Run {
    fn fail(&mut self, failure: Failure) {
        self.ledger.fail(failure);
        self.stop.send_replace(true);
    }
}

type Shared = Arc<Mutex<Run>>;

/// Where rows to send come from: the file, read on a blocking thread, then planned.
struct Source {
    rows: tokio::sync::mpsc::Receiver<Result<ReadRow, Failure>>,
    planner: Planner,
    journal: Arc<Mutex<Option<Journal>>>,
    run: Shared,
    client: Client,
    /// Whether Ctrl Hub's clock was read for this run.
    clocked: bool,
    /// The file, for messages.
    file: std::path::PathBuf,
    /// How many rows were read.
    read: u64,
    /// How many rows the file had when it was checked (not known for a pipe).
    total: Option<u64>,
    /// A row taken from the file and planned, not yet handed on.
    held: Option<Plan>,
}

impl Source {
    /// The next row to send, after recording the rows before it that are not sent.
    async fn next_to_send(&mut self) -> Option<NewInteraction> {
        loop {
            let plan = self.next_plan().await?;
            // A row to send, or to look up at the end. It is held while the clock is
            // read, so that a stop meanwhile leaves it for `drain` to count.
            if matches!(plan, Plan::Send(_) | Plan::LeftUnknown { new: Some(_), .. }) {
                self.held = Some(plan);
                self.read_clock().await;
            } else {
                self.held = Some(plan);
            }
            let plan = self.held.take()?;
            let mut run = lock(&self.run);
            match plan {
                Plan::Send(pending) => return Some(start(&mut run, pending)),
                other => self.skip(&mut run, other),
            }
        }
    }

    /// The next row's plan; `None` at the end of the file or when it cannot be read.
    async fn next_plan(&mut self) -> Option<Plan> {
        if let Some(plan) = self.held.take() {
            return Some(plan);
        }
        match self.rows.recv().await? {
            Ok(row) => {
                self.read += 1;
                if self.total.is_some_and(|total| self.read > total) {
                    lock(&self.run).fail(self.changed());
                    return None;
                }
                Some(self.planner.plan(row, lock(&self.journal).as_ref()))
            }
            Err(failure) => {
                lock(&self.run).fail(failure);
                None
            }
        }
    }

    fn skip(&self, run: &mut Run, plan: Plan) {
        let date = self.client.latest_server_date();
        run.ledger.skipped(plan, lock(&self.journal).as_mut(), date);
        // The journal or the report could not be written: no more rows start.
        if run.ledger.failed() {
            run.stop.send_replace(true);
        }
    }

    /// A `sending` record carries Ctrl Hub's clock, which settling (in this run or a
    /// later one) bounds its search by: one small request first, when no answer has
    /// given it yet.
    async fn read_clock(&mut self) {
        if self.clocked {
            return;
        }
        self.clocked = true;
        let journaled = lock(&self.journal).is_some();
        if journaled && self.client.latest_server_date().is_none() {
            let _ = self.client.interactions().list().limit(1).page().await;
        }
        lock(&self.run).run_started = self.client.latest_server_date();
    }

    /// The failure of a file whose rows differ from those it had when it was checked.
    fn changed(&self) -> Failure {
        Failure::local(format!(
            "{} changed while it was imported: {} rows when it was checked, {} read when \
             it was sent; the journal holds what was sent, so run again once it is complete",
            self.file.display(),
            self.total.unwrap_or_default(),
            self.read
        ))
    }

    /// Plans the rows the import stopped before: counted (and reported) as they would
    /// have been, none sent. A pipe is not read further (it may never end).
    async fn drain(&mut self) {
        if self.total.is_none() {
            if let Some(Plan::Send(_)) = self.held.take() {
                lock(&self.run).ledger.counts.not_started += 1;
            }
            // Read to its end, the pipe is disconnected; stopped early, it is not.
            let ended = matches!(
                self.rows.try_recv(),
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected)
            );
            if !ended {
                eprintln!(
                    "the rest of {} was not read (a pipe is read only once): send it again \
                     with the same journal",
                    self.file.display()
                );
            }
            return;
        }
        while let Some(plan) = self.next_plan().await {
            let mut run = lock(&self.run);
            match plan {
                Plan::Send(_) => run.ledger.counts.not_started += 1,
                other => self.skip(&mut run, other),
            }
        }
    }
}

/// A row planned for sending gets the next index and is held until its outcome.
fn start(run: &mut Run, pending: Pending) -> NewInteraction {
    let Pending {
        key,
        line,
        new,
        left,
    } = pending;
    run.flights.insert(
        run.next,
        Flight {
            key,
            line,
            restore: left.unwrap_or(State::NotSent),
            new: run.ledger.settling().then(|| new.clone()),
        },
    );
    run.next += 1;
    new
}

/// Sends every row of `rows` that `planner` says to, recording each in `journal`.
pub async fn send_all(
    client: &Client,
    job: &ImportJob,
    rows: Rows,
    total: Option<u64>,
    planner: Planner,
    journal: Arc<Mutex<Option<Journal>>>,
    ledger: Ledger,
) -> Sent {
    // Ctrl-C (or a journal that cannot be written, or credentials that are refused)
    // stops new rows from starting; the rows in flight finish and are recorded.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let interrupted = Arc::new(AtomicBool::new(false));
    let signals = on_ctrl_c(stop.clone(), interrupted.clone());
    let run: Shared = Arc::new(Mutex::new(Run {
        ledger,
        flights: HashMap::new(),
        next: 0,
        announced: 0,
        run_started: None,
        stopping_error: None,
        stop,
    }));
    let source = Arc::new(tokio::sync::Mutex::new(Source {
        rows: read_on_a_thread(rows),
        planner,
        journal: journal.clone(),
        run: run.clone(),
        client: client.clone(),
        clocked: false,
        file: job.file.clone(),
        read: 0,
        total,
        held: None,
    }));
    let inputs = futures::stream::unfold(source.clone(), |source| async move {
        let new = source.lock().await.next_to_send().await?;
        Some((new, source))
    });
    let creates = client
        .interactions()
        .create_many_from_stream(inputs)
        .concurrency(job.concurrency)
        .stop_when(async move {
            let _ = stopped.wait_for(|s| *s).await;
        });
    let creates = if lock(&journal).is_some() {
        creates.before_batch(announce_to(journal.clone(), run.clone(), client.clone()))
    } else {
        creates
    };
    let mut results = creates.stream();
    while let Some(done) = results.next().await {
        finished(&mut lock(&run), &journal, client, done);
    }
    drop(results);
    unfinished(&mut lock(&run), &journal, client);
    // The file was checked whole before; a second reading that differs means it changed.
    let changed = {
        let mut source = source.lock().await;
        source.drain().await;
        let differs = source.total.is_some_and(|total| total != source.read);
        differs.then(|| source.changed())
    };
    drop(source);
    let mut run = lock(&run);
    if let Some(failure) = changed.filter(|_| !run.ledger.failed()) {
        run.fail(failure);
    }
    run.ledger.bar.finish_and_clear();
    Sent {
        ledger: std::mem::replace(&mut run.ledger, Ledger::spent()),
        interrupted: interrupted.load(Ordering::SeqCst),
        stopping_error: run.stopping_error.take(),
        run_started: run.run_started,
        signals,
    }
}

/// The rows of `rows`, read on a blocking thread a little ahead of the sending; the
/// thread stops when the receiver is dropped.
fn read_on_a_thread(rows: Rows) -> tokio::sync::mpsc::Receiver<Result<ReadRow, Failure>> {
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        for row in rows {
            if tx.blocking_send(row).is_err() {
                break;
            }
        }
    });
    rx
}

/// Stops the import on the first Ctrl-C; quits at once on the second.
fn on_ctrl_c(
    stop: tokio::sync::watch::Sender<bool>,
    interrupted: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            interrupted.store(true, Ordering::SeqCst);
            stop.send_replace(true);
            eprintln!(
                "interrupted: finishing the rows in flight and writing the journal \
                 (Ctrl-C again to quit at once; those rows, and up to two batches \
                 recorded ahead of them, then count as unknown)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(Exit::Interrupted as i32);
            }
        }
    })
}

/// Records one row's outcome.
fn finished(run: &mut Run, journal: &Mutex<Option<Journal>>, client: &Client, done: Created) {
    let Some(flight) = run.flights.remove(&done.index) else {
        return;
    };
    crate::output::advanced(&run.ledger.bar, 1);
    let Flight { key, line, new, .. } = flight;
    let state = match done.result {
        Ok(interaction) => {
            run.ledger.counts.created += 1;
            run.ledger.control(interaction.id, new);
            State::Created { id: interaction.id }
        }
        Err(e) if e.is_outcome_unknown() => {
            run.ledger
                .bar
                .suspend(|| eprintln!("line {line}: outcome unknown: {e}"));
            run.ledger.unknown(&key, line, &e.to_string(), new);
            State::Unknown {
                error: e.to_string(),
            }
        }
        Err(e) => {
            run.ledger.counts.refused += 1;
            run.ledger
                .bar
                .suspend(|| eprintln!("line {line}: refused: {e}"));
            run.ledger
                .report(line, "refused", Value::Null, &e.to_string());
            let state = State::Refused {
                error: e.to_string(),
            };
            if run.stopping_error.is_none() && stops_the_import(&e) {
                run.stop.send_replace(true);
                run.stopping_error = Some(e);
            }
            state
        }
    };
    let counts = &run.ledger.counts;
    run.ledger.bar.set_message(format!(
        "{} refused, {} unknown",
        counts.refused, counts.unknown
    ));
    let recorded = lock(journal)
        .as_mut()
        .map(|j| j.record(&key, line, state, client.latest_server_date()));
    if let Some(Err(e)) = recorded {
        run.fail(e);
    }
    // The report could not be written, say: no more rows start.
    if run.ledger.failed() {
        run.stop.send_replace(true);
    }
}

/// The rows the import stopped before sending. Those recorded as `sending` go back to
/// what they were (a rerun sends a `not_sent` row, as it would a row it never reached;
/// a row of unknown outcome stays unknown); all are counted as not started.
fn unfinished(run: &mut Run, journal: &Mutex<Option<Journal>>, client: &Client) {
    run.ledger.counts.not_started += run.flights.len();
    let announced = run.announced;
    let mut back: Vec<_> = run
        .flights
        .drain()
        .filter(|(index, _)| *index < announced)
        .map(|(_, flight)| (flight.key, flight.line, flight.restore))
        .collect();
    back.sort_by_key(|(_, line, _)| *line);
    if back.is_empty() {
        return;
    }
    let recorded = lock(journal).as_mut().map(|j| {
        j.record_all(
            back.iter()
                .map(|(key, line, state)| (key.as_str(), *line, state.clone())),
            client.latest_server_date(),
        )
    });
    if let Some(Err(e)) = recorded {
        run.fail(e);
    }
}

/// What `create_many` calls with each batch: the batch's rows are recorded as `sending`
/// in one write, and one sync is started on a blocking thread at once (so that it
/// overlaps the batch before); none of the rows goes before that sync is done. If the
/// journal cannot be written, the batch is not sent, nor any after it.
fn announce_to(
    journal: Arc<Mutex<Option<Journal>>>,
    run: Shared,
    client: Client,
) -> impl FnMut(Range<usize>) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + 'static {
    move |batch: Range<usize>| {
        let rows: Vec<(String, u64)> = {
            let mut run = lock(&run);
            run.announced = batch.end;
            batch
                .filter_map(|i| run.flights.get(&i).map(|f| (f.key.clone(), f.line)))
                .collect()
        };
        let sync = lock(&journal).as_mut().map(|journal| {
            let rows = rows
                .iter()
                .map(|(key, line)| (key.as_str(), *line, State::Sending));
            journal
                .record_all(rows, client.latest_server_date())
                .map(|()| journal.pending_sync())
        });
        let sync = match sync {
            Some(Ok(Some(sync))) => tokio::task::spawn_blocking(|| sync.run()),
            Some(Ok(None)) | None => return Box::pin(std::future::ready(true)),
            Some(Err(e)) => {
                lock(&run).fail(e);
                return Box::pin(std::future::ready(false));
            }
        };
        let run = run.clone();
        Box::pin(async move {
            let failed = match sync.await {
                Ok(Ok(())) => return true,
                Ok(Err(e)) => e,
                Err(e) => Failure::local(format!("could not write the journal: {e}")),
            };
            lock(&run).fail(failed);
            false
        })
    }
}
