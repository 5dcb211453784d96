//! The import journal: each row's outcome, appended as it happens, so that an import can
//! be resumed without creating anything twice.
//!
//! One JSON object a line, after a header naming the format. A row is recorded as
//! `sending` before its request goes out (and that record is on disk first), then as
//! `created` (with the id), `refused` (with the error), `unknown` (with the error),
//! `not_sent` or `malformed`. The last entry of a row wins; a row left at `sending` (the
//! process was killed) counts as `unknown`. Each entry carries the time it was written
//! (UTC) and, where an answer of Ctrl Hub had given one by then, Ctrl Hub's own `Date`.
//!
//! Rows are named by their content and which occurrence of that content they are, so a
//! rerun finds them even if rows were added, removed or moved in the file. Format 2 names
//! a row by its non-empty cells and their columns only (a column the importer learns later
//! changes no key); format 1, written before, by every column it knew, empty ones included.
//! A journal keeps the format it was started with.
//!
//! In memory a journal keeps, per row, a 128-bit digest of its key and a compact state (the
//! id of a created row); the error of a row of unknown outcome and the send times of rows
//! not yet resolved are kept beside, for those rows only. It is read line by line, so an
//! import of any size runs in flat memory.
//!
//! An open journal holds an exclusive lock on its file, so that two imports never work
//! from one journal at once; the operating system releases it when the process ends,
//! however it ends.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::exit::Failure;

/// The header's key; its value is the format.
const HEADER_KEY: &str = "ctrlhub_import_journal";

/// How a journal names its rows: the format its header gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// Format 1: a fingerprint of every column known then, empty ones included.
    V1 = 1,
    /// Format 2: a fingerprint of the non-empty cells and their column names.
    V2 = 2,
}

impl KeyFormat {
    /// The format new journals are written in.
    pub const CURRENT: KeyFormat = KeyFormat::V2;

    fn header(self) -> String {
        format!("{{\"{HEADER_KEY}\":{}}}", self as u8)
    }

    /// The format a journal's first line names, `Err(None)` for a line that is no
    /// journal header, `Err(Some(n))` for a format this version does not know.
    fn of_header(line: &str) -> Result<KeyFormat, Option<u64>> {
        let value: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|_| None)?;
        match value.get(HEADER_KEY).and_then(serde_json::Value::as_u64) {
            Some(1) if value.len() == 1 => Ok(KeyFormat::V1),
            Some(2) if value.len() == 1 => Ok(KeyFormat::V2),
            // A later format may say more in its header.
            Some(n) if n > 2 => Err(Some(n)),
            _ => Err(None),
        }
    }
}

/// A row's state in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    /// The request is (or was) on its way; what became of it is not recorded.
    Sending,
    /// Ctrl Hub stored it.
    Created { id: Uuid },
    /// Ctrl Hub refused it without storing it: it may be sent again.
    Refused { error: String },
    /// It may or may not have been stored: a person must check before it is sent again.
    Unknown { error: String },
    /// Recorded as `sending`, then never sent (the import stopped first): it may be sent.
    NotSent,
    /// The row could not be read; it was not sent.
    Malformed { error: String },
}

impl State {
    /// Whether the row may have been stored: `sending` and `unknown`.
    #[cfg(test)]
    pub fn is_unresolved(&self) -> bool {
        self.kept().is_unresolved()
    }

    fn kept(&self) -> Kept {
        match self {
            State::Sending => Kept::Sending,
            State::Created { id } => Kept::Created(*id),
            State::Refused { .. } => Kept::Refused,
            State::Unknown { .. } => Kept::Unknown,
            State::NotSent => Kept::NotSent,
            State::Malformed { .. } => Kept::Malformed,
        }
    }
}

/// What a journal keeps in memory of a row's state: [`State`] without its error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Sending,
    Created(Uuid),
    Refused,
    Unknown,
    NotSent,
    Malformed,
}

impl Kept {
    /// Whether the row may have been stored: `sending` and `unknown`.
    pub fn is_unresolved(self) -> bool {
        matches!(self, Kept::Sending | Kept::Unknown)
    }
}

/// A row's key as a journal holds it in memory: 128 bits of a keyed hash of the key, so
/// that a row costs the same however long its key. The two halves are SipHash under one
/// random key (for each process) of the row key tagged 0 and 1: two row keys meet by
/// chance with odds of about n² in 2¹²⁹.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowKey([u8; 16]);

impl RowKey {
    /// The digest of `row`.
    pub fn of(row: &str) -> RowKey {
        static KEY: std::sync::LazyLock<RandomState> = std::sync::LazyLock::new(RandomState::new);
        let (a, b) = (KEY.hash_one((0u8, row)), KEY.hash_one((1u8, row)));
        let mut digest = [0; 16];
        digest[..8].copy_from_slice(&a.to_le_bytes());
        digest[8..].copy_from_slice(&b.to_le_bytes());
        RowKey(digest)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    row: String,
    line: u64,
    #[serde(flatten)]
    state: State,
    /// When the entry was written (absent in format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<DateTime<Utc>>,
    /// Ctrl Hub's latest `Date` when the entry was written, if an answer had given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server_date: Option<DateTime<Utc>>,
}

/// When, by Ctrl Hub's clock, a row was sent: its first `sending` entry's server date (or
/// `None` if a `sending` entry of it carries none), and the latest server date of any of
/// its entries (its last attempt was before that was written, or the run was killed).
#[derive(Debug, Clone, Copy)]
struct Sent {
    first: Option<DateTime<Utc>>,
    undated: bool,
    last: Option<DateTime<Utc>>,
}

/// Notes an entry's times. A row found created (or malformed) is forgotten; a refused or
/// not-sent row keeps the times of its earlier sends, since one of them may have stored it
/// (an unknown outcome, then a resend that was refused).
fn note_sent(sent: &mut HashMap<RowKey, Sent>, key: RowKey, entry: &Entry) {
    if matches!(entry.state, State::Created { .. } | State::Malformed { .. }) {
        sent.remove(&key);
        return;
    }
    if !entry.state.kept().is_unresolved() && !sent.contains_key(&key) {
        return;
    }
    let seen = sent.entry(key).or_insert(Sent {
        first: None,
        undated: false,
        last: None,
    });
    if entry.state == State::Sending {
        match entry.server_date {
            Some(date) => {
                seen.first.get_or_insert(date);
            }
            None => seen.undated = true,
        }
    }
    seen.last = seen.last.max(entry.server_date);
}

/// An open, locked journal.
pub struct Journal {
    path: PathBuf,
    file: Arc<File>,
    format: KeyFormat,
    /// What is known of each row.
    memory: Memory,
    /// Entries written by this process so far.
    written: u64,
    /// Whether `sending` records are synced to disk before their requests go (always,
    /// but for the import benchmark's comparison).
    durable: bool,
    #[cfg(test)]
    on_synced: Option<SyncHook>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("rows", &self.memory.rows.len())
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}

/// A test's hook, told after each sync how many entries it covered; an error it returns
/// is the sync's.
#[cfg(test)]
type SyncHook = Arc<dyn Fn(u64) -> std::io::Result<()> + Send + Sync>;

/// One sync of what a journal had written when it was asked for, to run on a thread
/// that may block.
pub struct PendingSync {
    file: Arc<File>,
    path: PathBuf,
    #[cfg(test)]
    covers: u64,
    #[cfg(test)]
    on_synced: Option<SyncHook>,
}

impl PendingSync {
    /// Makes the entries written before it was made durable.
    pub fn run(self) -> Result<(), Failure> {
        let synced = self.file.sync_data();
        #[cfg(test)]
        let synced = synced.and_then(|()| {
            self.on_synced
                .as_ref()
                .map_or(Ok(()), |hook| hook(self.covers))
        });
        synced.map_err(|e| {
            Failure::local(format!(
                "could not write the journal {}: {e}",
                self.path.display()
            ))
        })
    }
}

impl Journal {
    /// Opens and locks the journal at `path`, reading what an earlier run recorded, or
    /// starts one. Another import holding it is a failure, at once.
    pub fn open(path: &Path) -> Result<Journal, Failure> {
        let damaged = |line: usize, why: String| {
            Failure::local(format!(
                "the journal {} is damaged at line {line}: {why}; it was not changed",
                path.display()
            ))
        };
        let io = |e: std::io::Error| {
            Failure::local(format!("could not use the journal {}: {e}", path.display()))
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Failure::local(format!(
                    "another import holds the journal {} (it is locked): nothing was sent. \
                     Wait for that import to finish, or give this one another journal",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let mut kept = Memory::default();
        let length = file.metadata().map_err(io)?.len();
        let format = if length == 0 {
            let format = KeyFormat::CURRENT;
            writeln!(file, "{}", format.header()).map_err(io)?;
            // The new file and its name reach the disk before any row is recorded in it.
            file.sync_all().map_err(io)?;
            sync_directory_of(path).map_err(io)?;
            format
        } else {
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            let mut lines = BufReader::new(&file);
            let mut line = Vec::new();
            lines.read_until(b'\n', &mut line).map_err(io)?;
            let header = String::from_utf8_lossy(&line);
            let format = match KeyFormat::of_header(header.trim_end_matches(['\n', '\r'])) {
                Ok(format) => format,
                Err(Some(newer)) => {
                    return Err(Failure::local(format!(
                        "the journal {} is of format {newer}, written by a newer ctrlhub; \
                         this one reads formats 1 and 2. It was not changed",
                        path.display()
                    )));
                }
                Err(None) => {
                    return Err(Failure::local(format!(
                        "{} is not an import journal (its first line is not {})",
                        path.display(),
                        KeyFormat::CURRENT.header()
                    )));
                }
            };
            // Bytes read, and where the last whole line ends.
            let mut read = line.len() as u64;
            let mut whole = read;
            let mut cut = false;
            for number in 2.. {
                line.clear();
                let n = lines.read_until(b'\n', &mut line).map_err(io)?;
                if n == 0 {
                    break;
                }
                read += n as u64;
                let ends_whole = line.ends_with(b"\n");
                let text = String::from_utf8_lossy(&line);
                if text.trim().is_empty() {
                    whole = read;
                    continue;
                }
                match serde_json::from_str::<Entry>(&text) {
                    Ok(entry) => {
                        kept.note(entry);
                        whole = read;
                    }
                    // The last line of a run that was killed while writing it: the row it
                    // names stays at `sending`, so it is treated as unknown.
                    Err(_) if !ends_whole => cut = true,
                    Err(e) => return Err(damaged(number, e.to_string())),
                }
            }
            drop(lines);
            if cut {
                // Drop the cut line, so that the next entry starts a line of its own and
                // the journal stays readable.
                file.set_len(whole).map_err(io)?;
            } else if !ends_with_newline(&mut file, read).map_err(io)? {
                // A whole entry whose newline was not written: kept, as it was read.
                file.write_all(b"\n").map_err(io)?;
            }
            format
        };
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok(Journal {
            path: path.to_owned(),
            file: Arc::new(file),
            format,
            memory: kept,
            written: 0,
            durable: true,
            #[cfg(test)]
            on_synced: None,
        })
    }

    /// How this journal names rows.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// Whether `sending` records reach the disk before their requests go (the default).
    /// Only the import benchmark turns it off, to measure what it costs.
    pub fn set_durable(&mut self, durable: bool) {
        self.durable = durable;
    }

    /// What the journal says of a row.
    pub fn state(&self, row: &str) -> Option<Kept> {
        self.memory.rows.get(&RowKey::of(row)).copied()
    }

    /// The error recorded for a row of unknown outcome.
    pub fn unknown_error(&self, row: &str) -> Option<&str> {
        self.memory.errors.get(&RowKey::of(row)).map(|e| &**e)
    }

    /// The id of every interaction the journal gives a row.
    pub fn created_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.memory.rows.values().filter_map(|kept| match kept {
            Kept::Created(id) => Some(*id),
            _ => None,
        })
    }

    /// When, by Ctrl Hub's clock, a row was first sent (at or after: its first `sending`
    /// entry's server date) and last written of (its latest entry's). `None` when a
    /// `sending` entry of it carries no server date, so its first send cannot be placed.
    pub fn sent(&self, row: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let sent = self.memory.sent.get(&RowKey::of(row))?;
        match (sent.undated, sent.first, sent.last) {
            (false, Some(first), Some(last)) => Some((first, last)),
            _ => None,
        }
    }

    /// Records rows' new state, in one write, without waiting for the disk.
    pub fn record_all<'a>(
        &mut self,
        rows: impl IntoIterator<Item = (&'a str, u64, State)>,
        server_date: Option<DateTime<Utc>>,
    ) -> Result<(), Failure> {
        let at = Some(Utc::now());
        let mut text = String::new();
        let mut entries = Vec::new();
        for (row, line, state) in rows {
            // Format 1 has no `not_sent`: its `refused` meant "not stored, may be sent",
            // which readers of format 1 understand.
            let state = match (self.format, state) {
                (KeyFormat::V1, State::NotSent) => State::Refused {
                    error: "not sent: the import stopped before it".to_owned(),
                },
                (_, state) => state,
            };
            let entry = Entry {
                row: row.to_owned(),
                line,
                state,
                at,
                server_date,
            };
            text.push_str(
                &serde_json::to_string(&entry)
                    .map_err(|e| Failure::local(format!("could not write the journal: {e}")))?,
            );
            text.push('\n');
            entries.push(entry);
        }
        // One write per batch, to a file opened for appending: a crash leaves at most a
        // partial last line, which `open` tolerates. A write that fails part way (a full
        // disk) is taken back, so that later entries do not follow a partial line.
        let failed = |e: std::io::Error| {
            Failure::local(format!(
                "could not write the journal {}: {e}",
                self.path.display()
            ))
        };
        let end = self.file.metadata().map_err(failed)?.len();
        if let Err(e) = (&*self.file).write_all(text.as_bytes()) {
            let _ = self.file.set_len(end);
            return Err(failed(e));
        }
        self.written += entries.len() as u64;
        for entry in entries {
            self.memory.note(entry);
        }
        Ok(())
    }

    /// Records a row's new state, without waiting for the disk.
    pub fn record(
        &mut self,
        row: &str,
        line: u64,
        state: State,
        server_date: Option<DateTime<Utc>>,
    ) -> Result<(), Failure> {
        self.record_all([(row, line, state)], server_date)
    }

    /// A sync of everything written so far, to run off the async threads; `None` when
    /// the journal is not durable.
    pub fn pending_sync(&self) -> Option<PendingSync> {
        self.durable.then(|| PendingSync {
            file: self.file.clone(),
            path: self.path.clone(),
            #[cfg(test)]
            covers: self.written,
            #[cfg(test)]
            on_synced: self.on_synced.clone(),
        })
    }

    /// Makes what was written durable, now.
    pub fn sync(&self) -> Result<(), Failure> {
        self.file.sync_data().map_err(|e| {
            Failure::local(format!(
                "could not write the journal {}: {e}",
                self.path.display()
            ))
        })
    }

    /// Tells `hook`, after each sync by [`PendingSync::run`] completes, how many entries
    /// this process had written when that sync was asked for: all of them are on disk.
    #[cfg(test)]
    pub fn on_synced(&mut self, hook: impl Fn(u64) -> std::io::Result<()> + Send + Sync + 'static) {
        self.on_synced = Some(Arc::new(hook));
    }
}

/// What a journal keeps in memory, as its entries are read or written.
#[derive(Default)]
struct Memory {
    /// Each row's state.
    rows: HashMap<RowKey, Kept>,
    /// The error of each row of unknown outcome.
    errors: HashMap<RowKey, Box<str>>,
    /// Each unresolved row's first and last `sending` entries' server dates: when, by
    /// Ctrl Hub's clock, it was first and last sent (at or after).
    sent: HashMap<RowKey, Sent>,
}

impl Memory {
    fn note(&mut self, entry: Entry) {
        let key = RowKey::of(&entry.row);
        note_sent(&mut self.sent, key, &entry);
        match &entry.state {
            State::Unknown { error } => {
                self.errors.insert(key, error.as_str().into());
            }
            _ => {
                self.errors.remove(&key);
            }
        }
        self.rows.insert(key, entry.state.kept());
    }
}

/// Whether the `length` bytes of `file` end with a newline.
fn ends_with_newline(file: &mut File, length: u64) -> std::io::Result<bool> {
    use std::io::Read;
    file.seek(SeekFrom::Start(length - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Syncs the directory holding `path`, so that a file just created there survives a
/// crash under its name.
fn sync_directory_of(path: &Path) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    File::open(directory)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = directory;
    Ok(())
}

#[cfg(test)]
mod tests;
