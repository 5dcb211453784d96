//! What an import tells: the counts, a report of only the rows that need attention, the
//! progress bar, and the rows and controls settling will need.

use std::collections::VecDeque;

use ctrlhub::{KnownCreate, NewInteraction};
use serde_json::Value;
use uuid::Uuid;

use super::plan::Plan;
use super::settle;
use crate::exit::{Exit, Failure};
use crate::journal::{Journal, State};
use crate::output::{Format, Record, Writer};

/// The counts an import ends with.
#[derive(Debug, Default)]
pub struct Counts {
    pub created: usize,
    pub already_created: usize,
    pub refused: usize,
    pub malformed: usize,
    pub unknown: usize,
    pub not_started: usize,
}

/// An import's counts and report, and what settling will need.
pub struct Ledger {
    pub counts: Counts,
    out: Writer<std::io::Stdout>,
    /// The lines of rows left unknown, for the closing advice.
    unknown_lines: Vec<u64>,
    /// Rows to look up at the end (when settling).
    pub to_settle: Vec<settle::Row>,
    /// The latest creates known to have succeeded, to check a search against.
    pub controls: VecDeque<KnownCreate>,
    pub bar: indicatif::ProgressBar,
    settling: bool,
    /// The first failure that stops the import (the journal or the report cannot be
    /// written, the file cannot be read).
    failure: Option<Failure>,
}

impl Ledger {
    /// A ledger writing its report in `format`, its bar counting `total` rows (if known).
    pub fn new(format: Format, total: Option<u64>, settling: bool) -> Self {
        Self::with_bar(format, crate::output::progress(total, "rows"), settling)
    }

    /// An empty ledger that shows nothing: what is left where one was taken.
    pub fn spent() -> Self {
        Self::with_bar(Format::Jsonl, indicatif::ProgressBar::hidden(), false)
    }

    fn with_bar(format: Format, bar: indicatif::ProgressBar, settling: bool) -> Self {
        Ledger {
            counts: Counts::default(),
            out: Writer::new(std::io::stdout(), format, false).quiet_when_empty(),
            unknown_lines: Vec::new(),
            to_settle: Vec::new(),
            controls: VecDeque::new(),
            bar,
            settling,
            failure: None,
        }
    }

    /// Whether rows of unknown outcome are looked up at the end.
    pub fn settling(&self) -> bool {
        self.settling
    }

    /// Keeps the first failure that stops the import.
    pub fn fail(&mut self, failure: Failure) {
        self.failure.get_or_insert(failure);
    }

    /// Whether something failed that stops the import.
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// One row of the report.
    pub fn report(&mut self, line: u64, outcome: &str, id: Value, error: &str) {
        let mut record = Record::default();
        record.push("line", line);
        record.push("outcome", outcome);
        record.push("id", id);
        record.push("error", error);
        if let Err(e) = self.out.write(&record) {
            self.fail(Failure::local(format!("could not write the report: {e}")));
        }
    }

    /// A create known to have succeeded: a control for settling (the latest few).
    pub fn control(&mut self, id: Uuid, new: Option<NewInteraction>) {
        if let Some(new) = new {
            self.controls.push_back(KnownCreate { id, new });
            if self.controls.len() > settle::CONTROLS {
                self.controls.pop_front();
            }
        }
    }

    /// A row left unknown: counted, reported, and looked up at the end when settling.
    pub fn unknown(&mut self, key: &str, line: u64, error: &str, new: Option<NewInteraction>) {
        self.counts.unknown += 1;
        self.unknown_lines.push(line);
        if let Some(new) = new.filter(|_| self.settling) {
            self.to_settle.push(settle::Row {
                key: key.to_owned(),
                line,
                new,
            });
        }
        self.report(line, "unknown", Value::Null, error);
    }

    /// A row that is not sent: counted and reported; a malformed row with a key is
    /// recorded in the journal.
    pub fn skipped(&mut self, plan: Plan, journal: Option<&mut Journal>, date: Option<ServerDate>) {
        crate::output::advanced(&self.bar, 1);
        match plan {
            Plan::Send(_) => {}
            Plan::Created { id, new } => {
                self.counts.already_created += 1;
                self.control(id, new);
            }
            Plan::LeftUnknown {
                key,
                line,
                error,
                new,
            } => self.unknown(&key, line, &error, new),
            Plan::Malformed { key, error } => {
                self.counts.malformed += 1;
                self.bar.suspend(|| eprintln!("malformed: {error}"));
                if let (Some(key), Some(journal)) = (key, journal) {
                    let state = State::Malformed {
                        error: error.to_string(),
                    };
                    if let Err(e) = journal.record(&key, error.line, state, date) {
                        self.fail(e);
                    }
                }
                self.report(error.line, "malformed", Value::Null, &error.to_string());
            }
        }
    }

    /// Counts and reports what settling did.
    pub fn settled(&mut self, done: &settle::Report) {
        let settled: std::collections::HashSet<u64> = done
            .found
            .iter()
            .chain(&done.resent)
            .map(|(line, _)| *line)
            .chain(done.refused.iter().map(|(line, _)| *line))
            .collect();
        self.unknown_lines.retain(|line| !settled.contains(line));
        self.counts.unknown -= settled.len();
        self.counts.created += done.resent.len();
        self.counts.refused += done.refused.len();
        for (line, id) in done.found.iter().chain(&done.resent) {
            self.report(*line, "created", Value::String(id.to_string()), "");
        }
        for (line, error) in &done.refused {
            eprintln!("line {line}: refused when sent again: {error}");
            self.report(*line, "refused", Value::Null, error);
        }
        for (line, why) in &done.unknown {
            eprintln!("line {line}: still unknown: {why}");
        }
    }

    /// Ends the report and prints the summary (and the settling line, if any); the first
    /// failure that stopped the import, if one did.
    pub fn finish(&mut self, journaled: bool, settled: Option<&str>) -> Option<Failure> {
        let out = std::mem::replace(
            &mut self.out,
            Writer::new(std::io::stdout(), Format::Jsonl, false).quiet_when_empty(),
        );
        if let Err(e) = out.finish() {
            self.fail(Failure::local(format!("could not write the report: {e}")));
        }
        let c = &self.counts;
        eprintln!(
            "import: {} created, {} already created, {} refused, {} malformed, {} outcome unknown, {} not started",
            c.created, c.already_created, c.refused, c.malformed, c.unknown, c.not_started
        );
        if let Some(line) = settled {
            eprintln!("{line}");
        }
        if !self.unknown_lines.is_empty() {
            self.unknown_lines.sort_unstable();
            let lines: Vec<String> = self.unknown_lines.iter().map(u64::to_string).collect();
            eprintln!(
                "outcome unknown, lines {}: Ctrl Hub may have stored these. Look for them \
                 (`ctrlhub interactions list`); delete from the file the ones you find, then \
                 run again with --resend-unknown to send the rest. They are never sent again \
                 without it.",
                lines.join(", ")
            );
        }
        if !journaled && (c.refused + c.unknown + c.not_started) > 0 {
            eprintln!(
                "no --journal was given: a rerun cannot tell which rows were created; \
                 use --journal FILE to make an import resumable"
            );
        }
        self.failure.take()
    }

    /// The exit code the counts call for.
    pub fn exit(&self) -> Exit {
        if self.counts.unknown > 0 {
            Exit::OutcomeUnknown
        } else if self.counts.refused + self.counts.malformed > 0 {
            Exit::RowsFailed
        } else {
            Exit::Success
        }
    }
}

/// Ctrl Hub's latest `Date`, recorded with each journal entry.
pub type ServerDate = chrono::DateTime<chrono::Utc>;
