//! `ctrlhub interactions import`: rows of a CSV or JSON-lines file, created through the
//! bulk path, each outcome journaled.

use std::collections::HashMap;
use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ctrlhub::{Client, Error, NewInteraction, Outcome, TransportErrorKind};
use futures::StreamExt;
use serde_json::Value;

use crate::exit::{Exit, Failure};
use crate::journal::{Journal, KeyFormat, State};
use crate::output::{Format, Record, Writer};
use crate::records::{
    EXTRA, IMPORTED_COLUMNS, INTERACTION_COLUMNS, NewValues, Row, RowError, columns_of,
};
use crate::settle;

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

/// Reads every row of `file`: each a row, or why it cannot be read.
pub fn read_rows(
    file: &Path,
    format: Option<InputFormat>,
) -> Result<Vec<Result<Row, RowError>>, Failure> {
    let format = format.unwrap_or_else(|| {
        match file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
        {
            Some(ext) if ext == "jsonl" || ext == "ndjson" => InputFormat::Jsonl,
            Some(ext) if ext == "json" => InputFormat::Json,
            _ => InputFormat::Csv,
        }
    });
    let open = std::fs::File::open(file)
        .map_err(|e| Failure::local(format!("could not read {}: {e}", file.display())))?;
    match format {
        InputFormat::Csv => read_csv(open, file),
        InputFormat::Jsonl => read_jsonl(open, file),
        InputFormat::Json => read_json_array(open, file),
    }
}

fn read_csv(input: impl Read, file: &Path) -> Result<Vec<Result<Row, RowError>>, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(input);
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| Failure::invalid(format!("{}: line 1: {e}", file.display())))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let positions = columns_of(&header)
        .map_err(|e| Failure::invalid(format!("{}: line 1: {e}", file.display())))?;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                rows.push(csv_row(&record, &positions, line));
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("has {len} fields, the header has {expected_len}"),
                    _ => e.to_string(),
                };
                rows.push(Err(RowError {
                    line,
                    column: None,
                    reason,
                }));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok(rows)
}

fn csv_row(
    record: &csv::ByteRecord,
    positions: &[Option<usize>],
    line: u64,
) -> Result<Row, RowError> {
    let mut cells = Vec::with_capacity(IMPORTED_COLUMNS.len());
    for (column, position) in IMPORTED_COLUMNS.iter().zip(positions) {
        let raw = position.and_then(|p| record.get(p)).unwrap_or_default();
        let text = std::str::from_utf8(raw).map_err(|_| RowError {
            line,
            column: Some((*column).to_owned()),
            reason: "is not valid UTF-8".to_owned(),
        })?;
        cells.push(if *column == "notes" {
            text.to_owned()
        } else {
            text.trim().to_owned()
        });
    }
    Ok(Row { line, cells })
}

fn read_jsonl(input: impl Read, file: &Path) -> Result<Vec<Result<Row, RowError>>, Failure> {
    let mut rows = Vec::new();
    for (i, text) in BufReader::new(input).lines().enumerate() {
        let line = i as u64 + 1;
        let text = match text {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                rows.push(Err(RowError {
                    line,
                    column: None,
                    reason: "is not valid UTF-8".to_owned(),
                }));
                continue;
            }
            Err(e) => {
                return Err(Failure::local(format!(
                    "could not read {}: {e}",
                    file.display()
                )));
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        rows.push(jsonl_row(&text, line));
    }
    Ok(rows)
}

/// A JSON array of objects; each row is named by the line its object starts on. A file
/// that is not an array is refused whole; an element that is not an object is one
/// malformed row.
fn read_json_array(
    mut input: impl Read,
    file: &Path,
) -> Result<Vec<Result<Row, RowError>>, Failure> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| Failure::local(format!("could not read {}: {e}", file.display())))?;
    let line_at = |offset: usize| text[..offset].matches('\n').count() as u64 + 1;
    let refuse = |offset: usize, why: &str| {
        Failure::invalid(format!(
            "{}: line {}: {why}",
            file.display(),
            line_at(offset)
        ))
    };
    let skip_space = |mut at: usize| {
        while text[at..].starts_with(|c: char| c.is_ascii_whitespace()) {
            at += 1;
        }
        at
    };
    let mut at = skip_space(0);
    if !text[at..].starts_with('[') {
        return Err(refuse(
            at,
            "not a JSON array (for one object a line, use .jsonl)",
        ));
    }
    at = skip_space(at + 1);
    let mut rows = Vec::new();
    if text[at..].starts_with(']') {
        return Ok(rows);
    }
    loop {
        let line = line_at(at);
        // Each element as any JSON value first, so that one that is not an object is one
        // malformed row and the rest are still read.
        let mut values = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(Value::Object(object))) => rows.push(object_row(object, line)),
            Some(Ok(_)) => rows.push(Err(RowError {
                line,
                column: None,
                reason: "not a JSON object".to_owned(),
            })),
            Some(Err(e)) => return Err(refuse(at, &format!("not valid JSON: {e}"))),
            None => return Err(refuse(at, "the array does not end")),
        }
        at = skip_space(at + values.byte_offset());
        match text[at..].chars().next() {
            Some(',') => at = skip_space(at + 1),
            Some(']') => break,
            _ => return Err(refuse(at, "expected , or ] after an element")),
        }
    }
    Ok(rows)
}

fn jsonl_row(text: &str, line: u64) -> Result<Row, RowError> {
    let object: serde_json::Map<String, Value> =
        serde_json::from_str(text).map_err(|e| RowError {
            line,
            column: Some(e.column().to_string()),
            reason: format!("not a JSON object: {e}"),
        })?;
    object_row(object, line)
}

fn object_row(object: serde_json::Map<String, Value>, line: u64) -> Result<Row, RowError> {
    if let Some(unknown) = object
        .keys()
        .find(|k| !INTERACTION_COLUMNS.contains(&k.as_str()))
    {
        return Err(RowError {
            line,
            column: Some(unknown.clone()),
            reason: format!(
                "unknown field: the fields are {}",
                INTERACTION_COLUMNS.join(", ")
            ),
        });
    }
    let mut cells = Vec::with_capacity(IMPORTED_COLUMNS.len());
    for column in IMPORTED_COLUMNS.iter() {
        cells.push(match object.get(*column) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if *column == "notes" => s.clone(),
            Some(Value::Object(o)) if *column == EXTRA => Value::Object(o.clone()).to_string(),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(RowError {
                    line,
                    column: Some((*column).to_owned()),
                    reason: "must be text, a boolean or null".to_owned(),
                });
            }
        });
    }
    Ok(Row { line, cells })
}

/// A row to send: its journal key, its line, the interaction, and what the journal said
/// of it before this run.
struct Pending {
    key: String,
    line: u64,
    new: NewInteraction,
    previous: Option<State>,
}

/// The first failure to write the journal; it stops the import.
struct JournalFailure {
    first: Mutex<Option<Failure>>,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
}

impl JournalFailure {
    fn fail(&self, failure: Failure) {
        self.first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(failure);
        self.stop.send_replace(true);
    }

    fn failed(&self) -> bool {
        self.first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn take(&self) -> Option<Failure> {
        self.first.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// What `create_many` calls with each batch: the batch's rows are recorded as `sending`
/// in one write, and one sync is started on a blocking thread at once (so that it
/// overlaps the batch before); none of the rows goes before that sync is done. If the
/// journal cannot be written, the batch is not sent, nor any after it.
fn announce_to(
    journal: Arc<Mutex<Option<Journal>>>,
    keys: Arc<Vec<(String, u64, Option<State>)>>,
    failure: Arc<JournalFailure>,
    announced: Arc<AtomicUsize>,
    client: Client,
) -> impl FnMut(Range<usize>) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + 'static {
    move |batch: Range<usize>| {
        announced.store(batch.end, Ordering::SeqCst);
        let sync = {
            let mut journal = journal.lock().unwrap_or_else(|p| p.into_inner());
            journal.as_mut().map(|journal| {
                let rows = keys[batch]
                    .iter()
                    .map(|(key, line, _)| (key.as_str(), *line, State::Sending));
                journal
                    .record_all(rows, client.latest_server_date())
                    .map(|()| journal.pending_sync())
            })
        };
        let sync = match sync {
            Some(Ok(Some(sync))) => tokio::task::spawn_blocking(|| sync.run()),
            Some(Ok(None)) | None => return Box::pin(std::future::ready(true)),
            Some(Err(e)) => {
                failure.fail(e);
                return Box::pin(std::future::ready(false));
            }
        };
        let failure = failure.clone();
        Box::pin(async move {
            let failed = match sync.await {
                Ok(Ok(())) => return true,
                Ok(Err(e)) => e,
                Err(e) => Failure::local(format!("could not write the journal: {e}")),
            };
            failure.fail(failed);
            false
        })
    }
}

/// The counts an import ends with.
#[derive(Debug, Default)]
struct Counts {
    created: usize,
    already_created: usize,
    refused: usize,
    malformed: usize,
    unknown: usize,
    not_started: usize,
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

/// Runs an import with its journal open.
async fn import(
    client: &Client,
    job: ImportJob,
    mut journal: Option<Journal>,
    host: &str,
) -> Result<Exit, Failure> {
    let rows = read_rows(&job.file, job.input_format)?;
    let key_format = journal.as_ref().map_or(KeyFormat::CURRENT, Journal::format);
    let mut out = Writer::new(std::io::stdout().lock(), job.format, false).quiet_when_empty();
    let mut counts = Counts::default();
    let mut unknown_lines = Vec::new();
    let mut pending = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let settling = job.settle && journal.is_some();
    // Rows to look up at the end, and creates known to have succeeded to check the
    // search against (the latest few).
    let mut to_settle: Vec<settle::Row> = Vec::new();
    let mut controls: std::collections::VecDeque<ctrlhub::KnownCreate> =
        std::collections::VecDeque::new();
    // Every interaction the journal gives a row: never taken for another row's.
    let mut claimed: Vec<uuid::Uuid> = Vec::new();
    let report = |out: &mut Writer<_>, line: u64, outcome: &str, id: Value, error: &str| {
        let mut record = Record::default();
        record.push("line", line);
        record.push("outcome", outcome);
        record.push("id", id);
        record.push("error", error);
        out.write(&record)
            .map_err(|e| Failure::local(format!("could not write the report: {e}")))
    };

    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                counts.malformed += 1;
                eprintln!("malformed: {e}");
                report(&mut out, e.line, "malformed", Value::Null, &e.to_string())?;
                continue;
            }
        };
        let fingerprint = row.key(key_format);
        let occurrence = seen.entry(fingerprint.clone()).or_default();
        let key = format!("{fingerprint}#{occurrence}");
        *occurrence += 1;
        match journal.as_ref().and_then(|j| j.state(&key)) {
            Some(State::Created { id }) => {
                counts.already_created += 1;
                if settling {
                    claimed.push(*id);
                }
                // The latest rows of the file, likely the latest sent.
                if settling && let Ok(new) = row.to_new(job.new_values) {
                    controls.push_back(ctrlhub::KnownCreate { id: *id, new });
                    if controls.len() > settle::CONTROLS {
                        controls.pop_front();
                    }
                }
                continue;
            }
            Some(state) if state.is_unresolved() && !job.resend_unknown => {
                counts.unknown += 1;
                unknown_lines.push(row.line);
                if settling && let Ok(new) = row.to_new(job.new_values) {
                    to_settle.push(settle::Row {
                        key: key.clone(),
                        line: row.line,
                        new,
                    });
                }
                let error = match state {
                    State::Unknown { error } => error.clone(),
                    _ => "the import stopped while it was being sent".to_owned(),
                };
                report(&mut out, row.line, "unknown", Value::Null, &error)?;
                continue;
            }
            _ => {}
        }
        match row.to_new(job.new_values) {
            Ok(new) => pending.push(Pending {
                previous: journal.as_ref().and_then(|j| j.state(&key)).cloned(),
                key,
                line: row.line,
                new,
            }),
            Err(e) => {
                counts.malformed += 1;
                eprintln!("malformed: {e}");
                if let Some(journal) = journal.as_mut() {
                    journal.record(
                        &key,
                        row.line,
                        State::Malformed {
                            error: e.to_string(),
                        },
                        None,
                    )?;
                }
                report(&mut out, e.line, "malformed", Value::Null, &e.to_string())?;
            }
        }
    }

    // Ctrl-C (or a journal that cannot be written, or credentials that are refused)
    // stops new rows from starting; the rows in flight finish and are recorded.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let in_flight = pending.len();
    let signals = {
        let (stop, interrupted) = (stop.clone(), interrupted.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, std::sync::atomic::Ordering::SeqCst);
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
    };

    // Each row's key, line, and the state an earlier run left it in.
    let keys: Vec<(String, u64, Option<State>)> = pending
        .iter_mut()
        .map(|p| (p.key.clone(), p.line, p.previous.take()))
        .collect();
    let keys = Arc::new(keys);
    let has_journal = journal.is_some();
    let journal = Arc::new(Mutex::new(journal));
    let journal_failure = Arc::new(JournalFailure {
        first: Mutex::new(None),
        stop: stop.clone(),
    });
    // Rows `0..announced` have been recorded as `sending` (or tried to be).
    let announced = Arc::new(AtomicUsize::new(0));
    let mut finished_rows = vec![false; keys.len()];
    let bar = crate::output::progress(Some(in_flight as u64), "rows");
    let mut stopping_error: Option<Error> = None;

    // What each row sends, kept for settling: a control or a row to look up.
    let news: Vec<NewInteraction> = if settling {
        pending.iter().map(|p| p.new.clone()).collect()
    } else {
        Vec::new()
    };
    // A `sending` record carries Ctrl Hub's clock, which settling (in this run or a
    // later one) bounds its search by: one small request first, when no answer has
    // given it yet.
    if has_journal
        && (!pending.is_empty() || !to_settle.is_empty())
        && client.latest_server_date().is_none()
    {
        let _ = client.interactions().list().limit(1).page().await;
    }
    let run_started = client.latest_server_date();
    let creates = client
        .interactions()
        .create_many(pending.into_iter().map(|p| p.new))
        .concurrency(job.concurrency)
        .stop_when(async move {
            let _ = stopped.wait_for(|s| *s).await;
        });
    let creates = if has_journal {
        creates.before_batch(announce_to(
            journal.clone(),
            keys.clone(),
            journal_failure.clone(),
            announced.clone(),
            client.clone(),
        ))
    } else {
        creates
    };
    let mut results = creates.stream();
    let mut finished = 0;
    while let Some(done) = results.next().await {
        finished += 1;
        finished_rows[done.index] = true;
        crate::output::advanced(&bar, 1);
        let (key, line, _) = &keys[done.index];
        let state = match done.result {
            Ok(interaction) => {
                counts.created += 1;
                if settling {
                    claimed.push(interaction.id);
                }
                if let Some(new) = news.get(done.index) {
                    controls.push_back(ctrlhub::KnownCreate {
                        id: interaction.id,
                        new: new.clone(),
                    });
                    if controls.len() > settle::CONTROLS {
                        controls.pop_front();
                    }
                }
                State::Created { id: interaction.id }
            }
            Err(e) if e.is_outcome_unknown() => {
                counts.unknown += 1;
                unknown_lines.push(*line);
                if let Some(new) = news.get(done.index) {
                    to_settle.push(settle::Row {
                        key: key.clone(),
                        line: *line,
                        new: new.clone(),
                    });
                }
                bar.suspend(|| eprintln!("line {line}: outcome unknown: {e}"));
                report(&mut out, *line, "unknown", Value::Null, &e.to_string())?;
                State::Unknown {
                    error: e.to_string(),
                }
            }
            Err(e) => {
                counts.refused += 1;
                bar.suspend(|| eprintln!("line {line}: refused: {e}"));
                report(&mut out, *line, "refused", Value::Null, &e.to_string())?;
                let state = State::Refused {
                    error: e.to_string(),
                };
                if stopping_error.is_none() && stops_the_import(&e) {
                    stop.send_replace(true);
                    stopping_error = Some(e);
                }
                state
            }
        };
        bar.set_message(format!(
            "{} refused, {} unknown",
            counts.refused, counts.unknown
        ));
        let mut journal = journal.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(journal) = journal.as_mut()
            && let Err(e) = journal.record(key, *line, state, client.latest_server_date())
        {
            journal_failure.fail(e);
        }
    }
    bar.finish_and_clear();
    signals.abort();
    counts.not_started = in_flight - finished;
    // Rows recorded as `sending` that the import stopped before sending: a rerun sends
    // them, as it would rows it never reached; but a row whose outcome an earlier run
    // left unknown (sent again only with --resend-unknown) goes back to that state.
    let announced = announced.load(Ordering::SeqCst);
    if let Some(journal) = journal.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        let rows: Vec<_> = (0..announced)
            .filter(|i| !finished_rows[*i])
            .map(|i| {
                let (key, line, previous) = &keys[i];
                let state = match previous {
                    Some(previous) if previous.is_unresolved() => previous.clone(),
                    _ => State::NotSent,
                };
                (key.as_str(), *line, state)
            })
            .collect();
        if !rows.is_empty()
            && let Err(e) = journal.record_all(rows, client.latest_server_date())
        {
            journal_failure.fail(e);
        }
    }
    if let Some(journal) = journal.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        journal.sync()?;
    }

    let stopped_early = interrupted.load(std::sync::atomic::Ordering::SeqCst)
        || stopping_error.is_some()
        || counts.not_started > 0
        || journal_failure.failed();
    let mut settled_line = None;
    if settling && !to_settle.is_empty() && !stopped_early {
        let rows = to_settle.len();
        let known = settle::Known {
            controls: controls.into_iter().collect(),
            claimed,
            run_started,
        };
        let done = settle::settle(client, &journal, to_settle, known, job.timeout).await?;
        if let Some(journal) = journal.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            journal.sync()?;
        }
        let settled_lines: std::collections::HashSet<u64> = done
            .found
            .iter()
            .chain(&done.resent)
            .map(|(line, _)| *line)
            .chain(done.refused.iter().map(|(line, _)| *line))
            .collect();
        unknown_lines.retain(|line| !settled_lines.contains(line));
        counts.unknown -= settled_lines.len();
        counts.created += done.resent.len();
        counts.refused += done.refused.len();
        for (line, id) in done.found.iter().chain(&done.resent) {
            report(
                &mut out,
                *line,
                "created",
                Value::String(id.to_string()),
                "",
            )?;
        }
        for (line, error) in &done.refused {
            eprintln!("line {line}: refused when sent again: {error}");
            report(&mut out, *line, "refused", Value::Null, error)?;
        }
        for (line, why) in &done.unknown {
            eprintln!("line {line}: still unknown: {why}");
        }
        settled_line = Some(format!(
            "settled {rows} rows of unknown outcome: {} found created, {} not stored and sent \
             again ({} created, {} refused), {} still unknown",
            done.found.len(),
            done.resent.len() + done.refused.len(),
            done.resent.len(),
            done.refused.len(),
            done.unknown.len()
        ));
    }
    out.finish()
        .map_err(|e| Failure::local(format!("could not write the report: {e}")))?;

    eprintln!(
        "import: {} created, {} already created, {} refused, {} malformed, {} outcome unknown, {} not started",
        counts.created,
        counts.already_created,
        counts.refused,
        counts.malformed,
        counts.unknown,
        counts.not_started
    );
    if let Some(line) = settled_line {
        eprintln!("{line}");
    }
    if !unknown_lines.is_empty() {
        unknown_lines.sort_unstable();
        let lines: Vec<String> = unknown_lines.iter().map(u64::to_string).collect();
        eprintln!(
            "outcome unknown, lines {}: Ctrl Hub may have stored these. Look for them \
             (`ctrlhub interactions list`); delete from the file the ones you find, then \
             run again with --resend-unknown to send the rest. They are never sent again \
             without it.",
            lines.join(", ")
        );
    }
    if job.journal.is_none() && (counts.refused + counts.unknown + counts.not_started) > 0 {
        eprintln!(
            "no --journal was given: a rerun cannot tell which rows were created; \
             use --journal FILE to make an import resumable"
        );
    }
    if let Some(failure) = journal_failure.take() {
        return Err(failure);
    }
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!("interrupted: run the same command again to send the rows not started");
        return Ok(Exit::Interrupted);
    }
    if let Some(error) = stopping_error {
        return Err(Failure::api(&error, host));
    }
    Ok(if counts.unknown > 0 {
        Exit::OutcomeUnknown
    } else if counts.refused + counts.malformed > 0 {
        Exit::RowsFailed
    } else {
        Exit::Success
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(format: InputFormat, text: &str) -> Result<Vec<Result<Row, RowError>>, Failure> {
        let file = Path::new("in");
        match format {
            InputFormat::Csv => read_csv(text.as_bytes(), file),
            InputFormat::Jsonl => read_jsonl(text.as_bytes(), file),
            InputFormat::Json => read_json_array(text.as_bytes(), file),
        }
    }

    fn lines(rows: &[Result<Row, RowError>]) -> Vec<Result<u64, String>> {
        rows.iter()
            .map(|r| match r {
                Ok(row) => Ok(row.line),
                Err(e) => Err(e.to_string()),
            })
            .collect()
    }

    #[test]
    fn a_json_array_names_each_object_by_the_line_it_starts_on() {
        let text = "[\n{\"method\":\"email\"},\n  7,\n{\"notes\":\n \"two lines\"}\n]\n";
        let read = rows(InputFormat::Json, text).unwrap();
        assert_eq!(
            lines(&read),
            [Ok(2), Err("line 3: not a JSON object".to_owned()), Ok(4)]
        );
        assert_eq!(read[2].as_ref().unwrap().cells[5], "two lines");
        assert!(rows(InputFormat::Json, " [ ] ").unwrap().is_empty());
        for (bad, why) in [
            ("{\"method\":\"email\"}", "line 1: not a JSON array"),
            ("[{\"method\":\"email\"}\n{}]", "line 2: expected , or ]"),
            ("[\n{\"method\":", "line 2: not valid JSON"),
            ("[{}, ", "line 1: the array does not end"),
        ] {
            let failure = rows(InputFormat::Json, bad).unwrap_err();
            assert!(
                failure.message.contains(why),
                "{bad:?}: {}",
                failure.message
            );
            assert_eq!(failure.exit, Exit::InvalidInput);
        }
    }

    #[test]
    fn json_lines_take_text_booleans_and_numbers_and_skip_blank_lines() {
        let text = "{\"contacted\":true,\"notes\":\" kept \",\"method\":\" email \"}\n\n{\"status\":3}\n{\"notes\":[1]}\n";
        let read = rows(InputFormat::Jsonl, text).unwrap();
        let first = read[0].as_ref().unwrap();
        assert_eq!((first.line, first.cells[3].as_str()), (1, "true"));
        assert_eq!(first.cells[5], " kept ", "notes keep their spaces");
        assert_eq!(first.cells[0], "email", "other cells are trimmed");
        assert_eq!(read[1].as_ref().unwrap().cells[4], "3");
        assert_eq!(
            lines(&read[2..]),
            [Err(
                "line 4, column notes: must be text, a boolean or null".to_owned()
            )]
        );
    }

    #[test]
    fn a_json_line_that_is_not_utf8_is_one_malformed_row() {
        let text: &[u8] = b"{\"notes\":\"a\"}\n{\"notes\":\"\xff\"}\n{\"notes\":\"c\"}\n";
        let read = read_jsonl(text, Path::new("in")).unwrap();
        assert_eq!(
            lines(&read),
            [Ok(1), Err("line 2: is not valid UTF-8".to_owned()), Ok(3)]
        );
    }

    #[test]
    fn csv_cells_are_trimmed_except_notes_and_a_short_row_is_named() {
        let read = rows(InputFormat::Csv, "notes,method\n\" a note \", email \nx\n").unwrap();
        let first = read[0].as_ref().unwrap();
        assert_eq!(
            (first.cells[0].as_str(), first.cells[5].as_str()),
            ("email", " a note ")
        );
        assert_eq!(
            lines(&read[1..]),
            [Err("line 3: has 1 fields, the header has 2".to_owned())]
        );
        let failure = rows(InputFormat::Csv, "method,when\n").unwrap_err();
        assert!(failure.message.contains("line 1: unknown column \"when\""));
    }

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
    async fn import_with_a_failing_sync(before: Option<State>) -> (Vec<Option<State>>, Vec<usize>) {
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
        let states = (0..12)
            .map(|i| journal.state(&call_key(i)).cloned())
            .collect();
        (states, stored)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_recorded_but_not_sent_when_the_journal_fails_are_recorded_as_not_sent() {
        let (states, stored) = import_with_a_failing_sync(None).await;
        for (i, state) in states.iter().enumerate() {
            match i {
                _ if stored.contains(&i) => assert!(
                    matches!(state, Some(State::Created { .. })),
                    "{i}: {state:?}"
                ),
                // Recorded with the first and second batches, never sent.
                0..6 => assert_eq!(state, &Some(State::NotSent), "{i}"),
                // The third batch is recorded only if the first was all started.
                6..9 => assert!(
                    matches!(state, Some(State::NotSent) | None),
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
                _ if stored.contains(&i) => assert!(
                    matches!(state, Some(State::Created { .. })),
                    "{i}: {state:?}"
                ),
                0..6 => assert_eq!(state, &Some(State::NotSent), "{i}"),
                6..9 => assert!(
                    matches!(state, Some(State::NotSent)) || state == &Some(refused.clone()),
                    "{i}: {state:?}"
                ),
                _ => assert_eq!(state, &Some(refused.clone()), "{i}"),
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
                assert!(
                    matches!(state, Some(State::Created { .. })),
                    "{i}: {state:?}"
                );
            } else {
                assert_eq!(state, &Some(unknown.clone()), "{i}");
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
