//! Settling an import's rows of unknown outcome: each is looked up in Ctrl Hub
//! (`Interactions::settle`), then recorded as created, or sent again when it was surely
//! not stored, or left unknown with the reason.

use std::sync::Mutex;
use std::time::Duration;

use ctrlhub::{Client, KnownCreate, NewInteraction, Settle, Settled, UnknownCreate, Unsettled};
use uuid::Uuid;

use super::lock;
use crate::exit::Failure;
use crate::journal::{Journal, State};

/// The most controls (creates known to have succeeded) a search is checked against.
pub const CONTROLS: usize = 20;

/// A row whose outcome is unknown: its journal key, line, and what was sent.
pub struct Row {
    pub key: String,
    pub line: u64,
    pub new: NewInteraction,
}

/// What settling did with each row.
#[derive(Default)]
pub struct Report {
    /// Found stored: (line, id).
    pub found: Vec<(u64, Uuid)>,
    /// Found not stored, sent again and created: (line, id).
    pub resent: Vec<(u64, Uuid)>,
    /// Found not stored, sent again and refused: (line, error).
    pub refused: Vec<(u64, String)>,
    /// Still unknown: (line, why).
    pub unknown: Vec<(u64, String)>,
}

/// What settling checks the search against: the latest creates known to have succeeded
/// (controls), every id known to be another row's (claimed), and the server's time when
/// this run began (a row an earlier run left may have been sent until it ended).
pub struct Known {
    pub controls: Vec<KnownCreate>,
    pub claimed: Vec<Uuid>,
    pub run_started: Option<chrono::DateTime<chrono::Utc>>,
}

/// Settles `rows` against what is `known`, recording each outcome in `journal`; waits,
/// once, for a request timeout (`timeout`) to pass when the last attempts are too recent.
///
/// # Errors
///
/// A journal that cannot be written. A failed search leaves every row unknown.
pub async fn settle(
    client: &Client,
    journal: &Mutex<Option<Journal>>,
    rows: Vec<Row>,
    known: Known,
    timeout: Duration,
) -> Result<Report, Failure> {
    let Known {
        mut controls,
        mut claimed,
        run_started,
    } = known;
    // Without the run's start, the latest time known: later, so only more careful.
    let run_started = run_started.or_else(|| client.latest_server_date());
    let mut report = Report::default();
    let mut waiting = Vec::new();
    let mut rows = to_look_up(journal, rows, run_started, &mut report);
    for round in 0..2 {
        if rows.is_empty() {
            break;
        }
        if round == 1 {
            // The last attempts were too recent: wait until any request sent then has
            // ended, then look again.
            let wait = timeout + Settle::CLOSE + Duration::from_secs(1);
            eprintln!(
                "settling {} rows: waiting {} s for their last requests to end",
                rows.len(),
                wait.as_secs()
            );
            tokio::time::sleep(wait).await;
        }
        let settled = client
            .interactions()
            .settle(rows.iter().map(|(_, unknown)| unknown.clone()))
            .controls(controls.iter().cloned())
            .claimed(claimed.iter().copied())
            .send()
            .await;
        let settled = match settled {
            Ok(settled) => settled,
            Err(e) => {
                let why = format!("the search failed: {e}");
                report
                    .unknown
                    .extend(rows.drain(..).map(|(row, _)| (row.line, why.clone())));
                break;
            }
        };
        for ((row, unknown), settled) in rows.drain(..).zip(settled) {
            match settled {
                Settled::Created(found) => {
                    record(journal, &row, State::Created { id: found.id }, client)?;
                    report.found.push((row.line, found.id));
                }
                Settled::NotStored => {
                    if let Some(id) = resend(client, journal, &row, &mut report).await? {
                        // Another row's now, and the newest create known to exist.
                        claimed.push(id);
                        controls.push(KnownCreate {
                            id,
                            new: row.new.clone(),
                        });
                    }
                }
                Settled::Unknown(Unsettled::TooSoon) if round == 0 => {
                    waiting.push((row, unknown));
                }
                Settled::Unknown(why) => report.unknown.push((row.line, why.to_string())),
                _ => report.unknown.push((row.line, "not settled".to_owned())),
            }
        }
        rows.append(&mut waiting);
    }
    Ok(report)
}

/// Each row with what to look up: what it sent and when, by Ctrl Hub's clock, it was
/// first and last sent. A row whose send carries no server time stays unknown.
fn to_look_up(
    journal: &Mutex<Option<Journal>>,
    rows: Vec<Row>,
    run_started: Option<chrono::DateTime<chrono::Utc>>,
    report: &mut Report,
) -> Vec<(Row, UnknownCreate)> {
    rows.into_iter()
        .filter_map(|row| {
            let sent = lock(journal).as_ref().and_then(|j| j.sent(&row.key));
            match sent {
                Some((first, last)) => {
                    let unknown = UnknownCreate {
                        new: row.new.clone(),
                        first_sent_after: first,
                        // A run killed after its last entry may have sent until it ended,
                        // before this one began.
                        last_sent_after: last.max(run_started.unwrap_or(last)),
                    };
                    Some((row, unknown))
                }
                None => {
                    report.unknown.push((
                        row.line,
                        "a send of it carries no time from Ctrl Hub's clock".to_owned(),
                    ));
                    None
                }
            }
        })
        .collect()
}

/// Sends a row found not stored again, recorded as `sending` (on disk) first; the new
/// interaction's id when it was created.
async fn resend(
    client: &Client,
    journal: &Mutex<Option<Journal>>,
    row: &Row,
    report: &mut Report,
) -> Result<Option<Uuid>, Failure> {
    record(journal, row, State::Sending, client)?;
    if let Some(journal) = lock(journal).as_ref() {
        journal.sync()?;
    }
    // Through `create_many`, which waits out a 429 and sends again, as the import does.
    let mut sent = client
        .interactions()
        .create_many([row.new.clone()])
        .concurrency(1)
        .send()
        .await;
    let result = match sent.results.pop() {
        Some(done) => done.result,
        None => return Ok(None),
    };
    let id = result.as_ref().ok().map(|created| created.id);
    let state = match result {
        Ok(created) => {
            report.resent.push((row.line, created.id));
            State::Created { id: created.id }
        }
        Err(e) if e.is_outcome_unknown() => {
            report.unknown.push((row.line, format!("sent again: {e}")));
            State::Unknown {
                error: e.to_string(),
            }
        }
        Err(e) => {
            report.refused.push((row.line, e.to_string()));
            State::Refused {
                error: e.to_string(),
            }
        }
    };
    record(journal, row, state, client)?;
    Ok(id)
}

fn record(
    journal: &Mutex<Option<Journal>>,
    row: &Row,
    state: State,
    client: &Client,
) -> Result<(), Failure> {
    match lock(journal).as_mut() {
        Some(journal) => journal.record(&row.key, row.line, state, client.latest_server_date()),
        None => Ok(()),
    }
}
