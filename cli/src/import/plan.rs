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
