//! Planning each row from the journal: send it, skip it (created, or left unknown by an
//! earlier run), or report it malformed.

use std::collections::HashMap;

use ctrlhub::NewInteraction;
use uuid::Uuid;

use super::read::ReadRow;
use crate::journal::{Journal, Kept, KeyFormat, RowKey, State};
use crate::records::{NewValues, RowError};

/// What to do with one row.
#[derive(Debug)]
pub enum Plan {
    /// Send it.
    Send(Pending),
    /// An earlier run created it, as `id`; `new` is what it asked for (when settling,
    /// to check a search against).
    Created {
        id: Uuid,
        new: Option<NewInteraction>,
    },
    /// An earlier run left it unknown (and `--resend-unknown` was not given); `new` is
    /// what it asks for, when settling.
    LeftUnknown {
        key: String,
        line: u64,
        error: String,
        new: Option<NewInteraction>,
    },
    /// It cannot be read or turned into an interaction; the key to record it under, when
    /// it has one and a journal is kept.
    Malformed {
        key: Option<String>,
        error: RowError,
    },
}

/// A row to send: its journal key (empty without a journal), its line, the interaction,
/// and the unresolved state an earlier run left it in (sent again with
/// `--resend-unknown`), to go back to should it be recorded as `sending` but not sent.
#[derive(Debug)]
pub struct Pending {
    pub key: String,
    pub line: u64,
    pub new: NewInteraction,
    pub left: Option<State>,
}

/// Plans rows in file order; it numbers rows of the same content, so each has a key of
/// its own.
pub struct Planner {
    format: Option<KeyFormat>,
    /// How many rows of each content were read so far (with a journal).
    seen: HashMap<RowKey, u32>,
    new_values: NewValues,
    resend_unknown: bool,
    settling: bool,
}

impl Planner {
    /// A planner for a journal of `format` (`None`: no journal, nothing is keyed).
    pub fn new(
        format: Option<KeyFormat>,
        new_values: NewValues,
        resend_unknown: bool,
        settling: bool,
    ) -> Self {
        Planner {
            format,
            seen: HashMap::new(),
            new_values,
            resend_unknown,
            settling,
        }
    }

    /// What to do with `row`, by what `journal` says of it.
    pub fn plan(&mut self, row: ReadRow, journal: Option<&Journal>) -> Plan {
        let row = match row {
            Ok(row) => row,
            Err(error) => return Plan::Malformed { key: None, error },
        };
        let key = self.format.map(|format| {
            let fingerprint = row.key(format);
            let occurrence = self.seen.entry(RowKey::of(&fingerprint)).or_default();
            let key = format!("{fingerprint}#{occurrence}");
            *occurrence += 1;
            key
        });
        let previous = journal
            .zip(key.as_deref())
            .and_then(|(j, key)| j.state(key));
        // The error an earlier run recorded for a row of unknown outcome.
        let error = journal
            .zip(key.as_deref())
            .filter(|_| previous.is_some_and(Kept::is_unresolved))
            .map(|(j, key)| {
                j.unknown_error(key)
                    .unwrap_or("the import stopped while it was being sent")
                    .to_owned()
            })
            .unwrap_or_default();
        let new = row.to_new(self.new_values);
        let for_settling = |new: &Result<NewInteraction, RowError>| {
            new.as_ref().ok().filter(|_| self.settling).cloned()
        };
        match previous {
            Some(Kept::Created(id)) => {
                return Plan::Created {
                    id,
                    new: for_settling(&new),
                };
            }
            Some(kept) if kept.is_unresolved() && !self.resend_unknown => {
                return Plan::LeftUnknown {
                    key: key.unwrap_or_default(),
                    line: row.line,
                    error,
                    new: for_settling(&new),
                };
            }
            _ => {}
        }
        match new {
            Ok(new) => Plan::Send(Pending {
                key: key.unwrap_or_default(),
                line: row.line,
                new,
                left: match previous {
                    Some(Kept::Sending) => Some(State::Sending),
                    Some(Kept::Unknown) => Some(State::Unknown { error }),
                    _ => None,
                },
            }),
            Err(error) => Plan::Malformed { key, error },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{IMPORTED_COLUMNS, Row};

    fn row(line: u64, notes: &str, method: &str) -> ReadRow {
        let cells = IMPORTED_COLUMNS
            .iter()
            .map(|c| match *c {
                "method" => method.to_owned(),
                "direction" => "inbound".to_owned(),
                "date_time" => "2026-02-01T10:00:00Z".to_owned(),
                "notes" => notes.to_owned(),
                _ => String::new(),
            })
            .collect();
        Ok(Row { line, cells })
    }

    fn key(notes: &str, n: u32) -> String {
        let Ok(row) = row(0, notes, "telephone") else {
            unreachable!()
        };
        format!("{}#{n}", row.key(KeyFormat::V2))
    }

    #[test]
    fn each_row_is_planned_by_what_the_journal_says_of_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j")).unwrap();
        let id = Uuid::new_v4();
        let unknown = State::Unknown {
            error: "no answer".into(),
        };
        let rows = [
            (key("created", 0), State::Created { id }),
            (key("unknown", 0), unknown),
            (key("sending", 0), State::Sending),
            (key("refused", 0), State::Refused { error: "x".into() }),
            // The second copy of "twice" was created; the first was not.
            (key("twice", 1), State::Created { id }),
        ];
        for (k, state) in rows {
            journal.record(&k, 1, state, None).unwrap();
        }
        let mut planner = Planner::new(Some(KeyFormat::V2), NewValues::Refuse, false, true);
        let mut plan = |r: ReadRow| planner.plan(r, Some(&journal));
        assert!(matches!(
            plan(row(2, "created", "telephone")),
            Plan::Created { id: got, new: Some(_) } if got == id
        ));
        match plan(row(3, "unknown", "telephone")) {
            Plan::LeftUnknown {
                key: k,
                line: 3,
                error,
                new: Some(_),
            } => assert_eq!((k, error.as_str()), (key("unknown", 0), "no answer")),
            other => panic!("{other:?}"),
        }
        match plan(row(4, "sending", "telephone")) {
            Plan::LeftUnknown { error, .. } => {
                assert_eq!(error, "the import stopped while it was being sent");
            }
            other => panic!("{other:?}"),
        }
        match plan(row(5, "refused", "telephone")) {
            Plan::Send(p) => assert_eq!((p.key, p.line, p.left), (key("refused", 0), 5, None)),
            other => panic!("{other:?}"),
        }
        match plan(row(6, "twice", "telephone")) {
            Plan::Send(p) => assert_eq!(p.key, key("twice", 0)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            plan(row(7, "twice", "telephone")),
            Plan::Created { .. }
        ));
        match plan(row(8, "bad", "pigeon")) {
            Plan::Malformed {
                key: Some(k),
                error,
            } => {
                assert_eq!(error.line, 8);
                assert_eq!(error.column.as_deref(), Some("method"));
                assert!(k.ends_with("#0"));
            }
            other => panic!("{other:?}"),
        }
        let unreadable = Err(RowError {
            line: 9,
            column: None,
            reason: "is not valid UTF-8".into(),
        });
        assert!(matches!(
            plan(unreadable),
            Plan::Malformed { key: None, .. }
        ));
    }

    #[test]
    fn with_resend_unknown_a_row_left_unknown_is_sent_and_remembers_its_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j")).unwrap();
        let unknown = State::Unknown {
            error: "no answer".into(),
        };
        journal
            .record(&key("unknown", 0), 1, unknown.clone(), None)
            .unwrap();
        journal
            .record(&key("sending", 0), 1, State::Sending, None)
            .unwrap();
        // Not settling: nothing is kept for it.
        let mut planner = Planner::new(Some(KeyFormat::V2), NewValues::Refuse, true, false);
        match planner.plan(row(2, "unknown", "telephone"), Some(&journal)) {
            Plan::Send(p) => assert_eq!(p.left, Some(unknown)),
            other => panic!("{other:?}"),
        }
        match planner.plan(row(3, "sending", "telephone"), Some(&journal)) {
            Plan::Send(p) => assert_eq!(p.left, Some(State::Sending)),
            other => panic!("{other:?}"),
        }
        let mut planner = Planner::new(Some(KeyFormat::V2), NewValues::Refuse, false, false);
        assert!(matches!(
            planner.plan(row(2, "unknown", "telephone"), Some(&journal)),
            Plan::LeftUnknown { new: None, .. }
        ));
        // Without a journal there are no keys.
        let mut planner = Planner::new(None, NewValues::Refuse, false, false);
        match planner.plan(row(2, "unknown", "telephone"), None) {
            Plan::Send(p) => assert_eq!((p.key.as_str(), p.left), ("", None)),
            other => panic!("{other:?}"),
        }
    }
}
