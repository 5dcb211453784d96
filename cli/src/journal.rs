//! The import journal: each row's outcome, appended as it happens, so that an import can
//! be resumed without creating anything twice.
//!
//! One JSON object a line. A row is recorded as `sending` just before its request goes out,
//! then as `created` (with the id), `refused` (with the error), `unknown` (with the error)
//! or `malformed`. The last entry of a row wins; a row left at `sending` (the process was
//! killed) counts as `unknown`. Rows are named by their content (a fingerprint of the
//! imported cells, and which occurrence of that content it is), so a rerun finds them
//! even if rows were added, removed or moved in the file.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::exit::Failure;

/// The first line of every journal.
const HEADER: &str = r#"{"ctrlhub_import_journal":1}"#;

/// A row's state in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    /// The request is (or was) on its way; what became of it is not recorded.
    Sending,
    /// Ctrl Hub stored it.
    Created { id: Uuid },
    /// Ctrl Hub refused it without storing it (or it was never sent): it may be sent again.
    Refused { error: String },
    /// It may or may not have been stored: a person must check before it is sent again.
    Unknown { error: String },
    /// The row could not be read; it was not sent.
    Malformed { error: String },
}

impl State {
    /// Whether the row may have been stored: `sending` and `unknown`.
    pub fn is_unresolved(&self) -> bool {
        matches!(self, State::Sending | State::Unknown { .. })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    row: String,
    line: u64,
    #[serde(flatten)]
    state: State,
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    rows: HashMap<String, (u64, State)>,
}

impl Journal {
    /// Opens the journal at `path`, reading what an earlier run recorded, or starts one.
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
        let mut rows = HashMap::new();
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io)?;
        if text.is_empty() {
            writeln!(file, "{HEADER}").map_err(io)?;
        } else {
            let ends_whole = text.ends_with('\n');
            let all: Vec<&str> = text.lines().collect();
            if all.first() != Some(&HEADER) {
                return Err(Failure::local(format!(
                    "{} is not an import journal (its first line is not {HEADER})",
                    path.display()
                )));
            }
            for (i, line) in all.iter().enumerate().skip(1) {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Entry>(line) {
                    Ok(entry) => {
                        rows.insert(entry.row, (entry.line, entry.state));
                    }
                    // The last line of a run that was killed while writing it: the row it
                    // names stays at `sending`, so it is treated as unknown.
                    Err(_) if i + 1 == all.len() && !ends_whole => {}
                    Err(e) => return Err(damaged(i + 1, e.to_string())),
                }
            }
            if !ends_whole {
                // Drop the cut line, so that the next entry starts a line of its own and
                // the journal stays readable.
                let whole = text.rfind('\n').map_or(0, |i| i + 1);
                file.set_len(whole as u64).map_err(io)?;
            }
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok(Journal {
            path: path.to_owned(),
            file,
            rows,
        })
    }

    /// What the journal says of a row.
    pub fn state(&self, row: &str) -> Option<&State> {
        self.rows.get(row).map(|(_, state)| state)
    }

    /// Records a row's new state, written through to the file at once.
    pub fn record(&mut self, row: &str, line: u64, state: State) -> Result<(), Failure> {
        let entry = Entry {
            row: row.to_owned(),
            line,
            state,
        };
        let mut text = serde_json::to_string(&entry)
            .map_err(|e| Failure::local(format!("could not write the journal: {e}")))?;
        text.push('\n');
        // One write per entry, to a file opened for appending: a crash leaves at most a
        // partial last line, which `open` tolerates.
        self.file.write_all(text.as_bytes()).map_err(|e| {
            Failure::local(format!(
                "could not write the journal {}: {e}",
                self.path.display()
            ))
        })?;
        self.rows.insert(entry.row, (line, entry.state));
        Ok(())
    }

    /// Makes what was written durable.
    pub fn sync(&self) -> Result<(), Failure> {
        self.file.sync_all().map_err(|e| {
            Failure::local(format!(
                "could not write the journal {}: {e}",
                self.path.display()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_remembers_the_last_state_of_each_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let id = Uuid::new_v4();
        {
            let mut journal = Journal::open(&path).unwrap();
            assert_eq!(journal.state("a#0"), None);
            journal.record("a#0", 2, State::Sending).unwrap();
            journal.record("a#0", 2, State::Created { id }).unwrap();
            journal.record("b#0", 3, State::Sending).unwrap();
            journal.sync().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(HEADER));
        assert_eq!(text.lines().count(), 4);
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.state("a#0"), Some(&State::Created { id }));
        assert_eq!(journal.state("b#0"), Some(&State::Sending));
        assert!(journal.state("b#0").unwrap().is_unresolved());
        assert!(State::Unknown { error: "x".into() }.is_unresolved());
        assert!(!State::Created { id }.is_unresolved());
        assert!(!State::Refused { error: "x".into() }.is_unresolved());
        assert!(!State::Malformed { error: "x".into() }.is_unresolved());
    }

    #[test]
    fn a_cut_last_line_is_ignored_and_the_next_entry_starts_on_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(
            &path,
            format!("{HEADER}\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"sending\"}}\n{{\"row\":\"a#0\",\"li"),
        )
        .unwrap();
        let mut journal = Journal::open(&path).unwrap();
        assert_eq!(journal.state("a#0"), Some(&State::Sending));
        journal
            .record("c#0", 4, State::Refused { error: "no".into() })
            .unwrap();
        drop(journal);
        let journal = Journal::open(&path).unwrap();
        assert_eq!(
            journal.state("c#0"),
            Some(&State::Refused { error: "no".into() })
        );
    }

    #[test]
    fn a_damaged_journal_or_another_file_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let damaged =
            format!("{HEADER}\nnot json\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"sending\"}}\n");
        std::fs::write(&path, &damaged).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(
            error.message.contains("damaged at line 2"),
            "{}",
            error.message
        );
        assert_eq!(error.exit, crate::exit::Exit::Local);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);

        // A bad last line that ends with a newline was written whole: damaged, not cut.
        let damaged =
            format!("{HEADER}\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"sending\"}}\nnot json\n");
        std::fs::write(&path, &damaged).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(
            error.message.contains("damaged at line 3"),
            "{}",
            error.message
        );

        std::fs::write(&path, "method,direction\nemail,inbound\n").unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(
            error.message.contains("is not an import journal"),
            "{}",
            error.message
        );
    }
}
