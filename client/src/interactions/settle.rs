//! Settling creates whose outcome is unknown: was the interaction stored or not?
//!
//! The API has no idempotency key, but the client knows what it sent and when, and a list
//! sorted by `created_at` can say what was created since. The rules are strict, because a
//! wrong "not stored" sends a row twice and a wrong "created" loses one:
//!
//! - **Created**: the search was complete and exactly one interaction matches what was
//!   sent (every attribute and link sent is there, with the same value: the server may
//!   add defaults), created at least [`Settle::CLOSE`] after the first send by the
//!   server's clock, and no other input claims it (another unknown input that matches it
//!   too, a control, or an id given as [`claimed`](Settle::claimed)).
//! - **Not stored**: the search was complete and found no match, nor anything similar
//!   (same method, direction, links and time: a value the server may have rewritten),
//!   created since the first send; at least one request timeout (plus `CLOSE`) has passed
//!   since the last attempt by the server's clock; and the same search found every
//!   control (creates known to have succeeded) as it was sent, one of them created at or
//!   after the row's first send. A list that lags behind creates hides the newest
//!   controls and fails this. The assumptions, which the docs leave open: a list that
//!   shows the newest control shows everything created up to the search (any lag is
//!   shorter than the time since that control), and Ctrl Hub does not process a request
//!   later than a timeout after it was sent. So give the latest creates as controls.
//! - **Still unknown**: anything else, with the reason ([`Unsettled`]).
//!
//! The search pages through the interactions in ascending `created_at` order (new ones
//! land at the end, so concurrent writers cannot shift the pages already read), from the
//! start, and stops past the server's time when it began. It needs the list to sort on
//! `created_at`; its `meta.features` is checked first, and without it every row stays
//! unknown, saying so.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use progenitor_client::ClientInfo;
use serde_json::Value;
use uuid::Uuid;

use super::{Interaction, NewInteraction};
use crate::client::Client;
use crate::error::Error;
use crate::query::SortDirection;
use crate::resource::NewResource;

/// A create whose outcome is unknown, to be settled: what was sent, and when by the
/// server's clock ([`Client::latest_server_date`] just before the sends).
#[derive(Debug, Clone)]
pub struct UnknownCreate {
    /// What was sent.
    pub new: NewInteraction,
    /// The server's latest `Date` before the first send: the interaction, if stored, was
    /// created at or after it.
    pub first_sent_after: DateTime<Utc>,
    /// The server's latest `Date` before the last attempt.
    pub last_sent_after: DateTime<Utc>,
}

/// A create of the same run known to have succeeded: a control the search must find.
#[derive(Debug, Clone)]
pub struct KnownCreate {
    /// The interaction's id, from the create's answer.
    pub id: Uuid,
    /// What was sent for it.
    pub new: NewInteraction,
}

/// What settling found for one [`UnknownCreate`], in input order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Settled {
    /// It was stored: this is the interaction.
    Created(Box<Interaction>),
    /// It was not stored: safe to send again.
    NotStored,
    /// Still unknown, for this reason.
    Unknown(Unsettled),
}

/// Why a create is still unknown after settling.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsettled {
    /// The list does not sort on `created_at` (its `meta.features`), so the search
    /// cannot be bounded.
    NoCreatedAtOrder,
    /// Ctrl Hub's answers carried no `Date`, so its clock is unknown.
    NoServerClock,
    /// Less than a request timeout has passed since the last attempt (by the server's
    /// clock): the request could still be processed. Settle again later.
    TooSoon,
    /// No known create of this run to check the search against: a list that lags could
    /// not be told from one that is complete.
    NoControl,
    /// No control (a create known to have succeeded) found was created at or after this
    /// row was first sent, so the search cannot show that the list is current that far.
    NoRecentControl,
    /// The client has no request timeout, so a request could still be processed at any
    /// time.
    NoTimeout,
    /// No interaction holds everything sent, but `id` is like it (same method,
    /// direction, links and time): Ctrl Hub may have stored the row with a value changed.
    Similar {
        /// The similar interaction.
        id: Uuid,
    },
    /// The search did not find this run's create `id`, known to exist: the list lags.
    ListLags {
        /// The control that was missing.
        id: Uuid,
    },
    /// The search found this run's create `id` but it differs from what was sent for it:
    /// the server rewrites values, so a match cannot be trusted either way.
    ControlDiffers {
        /// The control that differed.
        id: Uuid,
    },
    /// An item of the list could not be read, so the search is not complete.
    SearchIncomplete,
    /// A matching interaction was created too close to the first send to tell it from an
    /// identical one that existed before.
    TooClose {
        /// The match.
        id: Uuid,
    },
    /// More than one interaction matches.
    SeveralMatches {
        /// The matches.
        ids: Vec<Uuid>,
    },
    /// The one match is also matched by another input (or is another input's known
    /// create), so it cannot be this one's.
    Claimed {
        /// The match.
        id: Uuid,
    },
}

impl std::fmt::Display for Unsettled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsettled::NoCreatedAtOrder => {
                f.write_str("the list does not sort on created_at, so it cannot be searched")
            }
            Unsettled::NoServerClock => f.write_str("Ctrl Hub's answers carry no Date"),
            Unsettled::TooSoon => {
                f.write_str("too soon: a request timeout has not passed since the last attempt")
            }
            Unsettled::NoControl => {
                f.write_str("no create of this run is known to check the search against")
            }
            Unsettled::NoRecentControl => f.write_str(
                "no create known to have succeeded is as new as its first send, so the list \
                 cannot be shown to be current that far",
            ),
            Unsettled::NoTimeout => {
                f.write_str("the client has no request timeout, so it could still be processed")
            }
            Unsettled::Similar { id } => write!(
                f,
                "{id} is like it (same method, direction, links and time) but not equal: it may \
                 be this row, stored with a value changed"
            ),
            Unsettled::ListLags { id } => {
                write!(
                    f,
                    "the list lags: it does not show {id}, created by this run"
                )
            }
            Unsettled::ControlDiffers { id } => write!(
                f,
                "Ctrl Hub stores {id} differently from what was sent, so matches cannot be trusted"
            ),
            Unsettled::SearchIncomplete => f.write_str("an item of the list could not be read"),
            Unsettled::TooClose { id } => write!(
                f,
                "{id} matches, but was created too close to the first send to tell from one \
                 that existed before"
            ),
            Unsettled::SeveralMatches { ids } => {
                write!(f, "{} interactions match", ids.len())
            }
            Unsettled::Claimed { id } => write!(f, "{id} matches, but so does another row"),
        }
    }
}

/// Settles [`UnknownCreate`]s; from [`Interactions::settle`](crate::Interactions::settle).
#[derive(Debug)]
#[must_use = "settling does nothing until `send` is awaited"]
pub struct Settle {
    client: Client,
    unknown: Vec<UnknownCreate>,
    controls: Vec<KnownCreate>,
    claimed: HashSet<Uuid>,
    timeout: Option<Duration>,
}

impl Settle {
    /// How long after the first send (by the server's clock, in whole seconds) a match
    /// must have been created to be told from an identical interaction that existed
    /// before: 2 s, the `Date` header's and `created_at`'s one-second steps on each side.
    pub const CLOSE: Duration = Duration::from_secs(2);

    pub(crate) fn new(client: Client, unknown: Vec<UnknownCreate>) -> Self {
        let timeout = client.raw.inner().shared.timeout;
        Settle {
            client,
            unknown,
            controls: Vec::new(),
            claimed: HashSet::new(),
            timeout,
        }
    }

    /// This run's creates known to have succeeded: the search must find each, matching
    /// what was sent, before anything is called not stored.
    pub fn controls(mut self, controls: impl IntoIterator<Item = KnownCreate>) -> Self {
        self.controls.extend(controls);
        self
    }

    /// Interactions known to be other inputs' (every create of the run and of earlier
    /// runs that succeeded, not only the controls): never taken for an unknown input's,
    /// even when identical.
    pub fn claimed(mut self, ids: impl IntoIterator<Item = Uuid>) -> Self {
        self.claimed.extend(ids);
        self
    }

    /// Searches and settles each input; one [`Settled`] per input, in order.
    ///
    /// # Errors
    ///
    /// A failed list request (every input is then still unknown). An input that cannot
    /// be sent as it is ([`Error::InvalidInput`]) was never sent either.
    pub async fn send(self) -> Result<Vec<Settled>, Error> {
        let unknown: Vec<(Value, &UnknownCreate)> = self
            .unknown
            .iter()
            .map(|row| Ok((sent(&row.new)?, row)))
            .collect::<Result<_, Error>>()?;
        let controls: HashMap<Uuid, Value> = self
            .controls
            .iter()
            .map(|known| Ok((known.id, sent(&known.new)?)))
            .collect::<Result<_, Error>>()?;
        let everyone = |reason: Unsettled| Ok(vec![Settled::Unknown(reason); self.unknown.len()]);
        if unknown.is_empty() {
            return Ok(Vec::new());
        }

        let mut items = self
            .client
            .interactions()
            .list()
            .sort("created_at", SortDirection::Ascending)
            .limit(100)
            .stream();
        let mut search = Search::new(&unknown, &controls, &self.claimed);
        let mut started: Option<Option<DateTime<Utc>>> = None;
        let mut incomplete = false;
        let mut previous: Option<DateTime<Utc>> = None;
        while let Some(item) = items.next().await {
            let item = match item {
                Ok(item) => item,
                Err(Error::Unsupported(_)) => return everyone(Unsettled::NoCreatedAtOrder),
                Err(Error::Decode(_)) => {
                    incomplete = true;
                    continue;
                }
                Err(error) => return Err(error),
            };
            // The server's time when the search began: the first page's `Date`.
            let Some(began) = *started.get_or_insert_with(|| self.client.latest_server_date())
            else {
                return everyone(Unsettled::NoServerClock);
            };
            // Without a time the item cannot be placed: the search is not complete.
            let Some(created_at) = item.created_at else {
                incomplete = true;
                continue;
            };
            // A list that does not keep the order asked for (one that ignores `sort`)
            // cannot be searched this way.
            if previous.is_some_and(|before| created_at < before) {
                return everyone(Unsettled::NoCreatedAtOrder);
            }
            previous = Some(created_at);
            // Ascending: past the start of the search (and the one-second steps), nothing
            // this run sent can appear.
            if created_at > began + Settle::CLOSE {
                break;
            }
            search.look_at(&item);
        }
        let began = match started {
            Some(Some(began)) => began,
            // An empty list: its page's `Date` is the time.
            _ => match self.client.latest_server_date() {
                Some(began) => began,
                None => return everyone(Unsettled::NoServerClock),
            },
        };
        let control = search.control_verdict(incomplete);
        Ok(search.verdicts(began, self.timeout, incomplete, control.as_ref()))
    }
}

/// The JSON a create sends for `new`: its attributes and the ids of its links.
fn sent(new: &NewInteraction) -> Result<Value, Error> {
    let document = new.clone().into_document()?;
    serde_json::to_value(&document.data)
        .map_err(|e| Error::invalid_input("interaction", format!("cannot be written: {e}")))
}

/// Whether `item` holds everything `sent` holds: each attribute with an equal value
/// (date-times as instants), each link to the same id.
fn matches(sent: &Value, item: &Interaction) -> bool {
    let mut attributes = sent["attributes"].as_object().into_iter().flatten();
    let attributes_match = attributes
        .by_ref()
        .filter(|(_, value)| !value.is_null())
        .all(|(name, value)| {
            let Some(stored) = item.attribute(name) else {
                return false;
            };
            stored == *value || same_instant(&stored, value)
        });
    let mut links = sent["relationships"].as_object().into_iter().flatten();
    let links_match = links.all(|(name, link)| {
        let Some(id) = link["data"]["id"]
            .as_str()
            .and_then(|id| id.parse::<Uuid>().ok())
        else {
            return link["data"].is_null();
        };
        link_of(item, name) == Some(id)
    });
    attributes_match && links_match
}

/// The id `item` links to under `name`, if it links to one.
fn link_of(item: &Interaction, name: &str) -> Option<Uuid> {
    match name {
        "contact" => item.contact,
        "account" => item.account,
        "property" => item.property,
        "representative" => item.representative,
        other => item
            .other_relationships
            .get(other)
            .and_then(|link| link.get("data"))
            .and_then(|data| data.get("id"))
            .and_then(Value::as_str)
            .and_then(|id| id.parse().ok()),
    }
}

fn same_instant(a: &Value, b: &Value) -> bool {
    let instant = |v: &Value| {
        v.as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
    };
    matches!((instant(a), instant(b)), (Some(a), Some(b)) if a == b)
}

/// What the search has seen so far: each input's matches, the controls found.
struct Search<'a> {
    unknown: &'a [(Value, &'a UnknownCreate)],
    controls: &'a HashMap<Uuid, Value>,
    claimed: &'a HashSet<Uuid>,
    /// Each input's interactions that are like what it sent (same method, direction,
    /// links and time) but not equal: the server may have rewritten a value.
    similar: Vec<Option<Uuid>>,
    /// Each input's matches created since its first send (minus the one-second steps).
    matched: Vec<Vec<Interaction>>,
    /// The controls found, and whether each matched what was sent for it.
    found: HashMap<Uuid, bool>,
    /// The latest `created_at` of a control found.
    latest_control: Option<DateTime<Utc>>,
}

impl<'a> Search<'a> {
    fn new(
        unknown: &'a [(Value, &'a UnknownCreate)],
        controls: &'a HashMap<Uuid, Value>,
        claimed: &'a HashSet<Uuid>,
    ) -> Self {
        Search {
            unknown,
            controls,
            claimed,
            similar: vec![None; unknown.len()],
            matched: vec![Vec::new(); unknown.len()],
            found: HashMap::new(),
            latest_control: None,
        }
    }

    fn look_at(&mut self, item: &Interaction) {
        if let Some(sent) = self.controls.get(&item.id) {
            self.found.insert(item.id, matches(sent, item));
            self.latest_control = self.latest_control.max(item.created_at);
            return;
        }
        if self.claimed.contains(&item.id) {
            return;
        }
        for (index, (sent, row)) in self.unknown.iter().enumerate() {
            // Created before the first send by the server's clock: it existed before. One
            // without a time is kept as a match (and can then only leave the row unknown).
            let before = item
                .created_at
                .is_some_and(|at| at + Settle::CLOSE < row.first_sent_after);
            if before {
                continue;
            }
            if matches(sent, item) {
                self.matched[index].push(item.clone());
            } else if similar(sent, item) {
                self.similar[index].get_or_insert(item.id);
            }
        }
    }

    /// Why nothing can be called not stored, if something stops it: a control missing,
    /// differing, none at all, or an unread item.
    fn control_verdict(&self, incomplete: bool) -> Option<Unsettled> {
        if incomplete {
            return Some(Unsettled::SearchIncomplete);
        }
        if self.controls.is_empty() {
            return Some(Unsettled::NoControl);
        }
        let mut ids: Vec<&Uuid> = self.controls.keys().collect();
        ids.sort_unstable();
        for id in ids {
            match self.found.get(id) {
                None => return Some(Unsettled::ListLags { id: *id }),
                Some(false) => return Some(Unsettled::ControlDiffers { id: *id }),
                Some(true) => {}
            }
        }
        None
    }

    fn verdicts(
        self,
        began: DateTime<Utc>,
        timeout: Option<Duration>,
        incomplete: bool,
        control: Option<&Unsettled>,
    ) -> Vec<Settled> {
        let latest_control = self.latest_control;
        // How many inputs match each interaction: one matched by two is claimed.
        let mut claims: HashMap<Uuid, usize> = HashMap::new();
        for matches in &self.matched {
            for item in matches {
                *claims.entry(item.id).or_default() += 1;
            }
        }
        self.matched
            .into_iter()
            .zip(self.unknown)
            .zip(self.similar)
            .map(|((mut matches, (_, row)), similar)| match matches.len() {
                _ if incomplete => Settled::Unknown(Unsettled::SearchIncomplete),
                0 => {
                    let Some(timeout) = timeout else {
                        return Settled::Unknown(Unsettled::NoTimeout);
                    };
                    let window = chrono::Duration::from_std(timeout + Settle::CLOSE)
                        .unwrap_or(chrono::Duration::MAX);
                    let waited = began.signed_duration_since(row.last_sent_after);
                    // The list shows a control created at or after this row was first
                    // sent: it is current at least that far (see the module docs).
                    let current = latest_control.is_some_and(|at| at >= row.first_sent_after);
                    match (control, similar) {
                        (Some(reason), _) => Settled::Unknown(reason.clone()),
                        (None, Some(id)) => Settled::Unknown(Unsettled::Similar { id }),
                        (None, None) if waited < window => Settled::Unknown(Unsettled::TooSoon),
                        (None, None) if !current => Settled::Unknown(Unsettled::NoRecentControl),
                        (None, None) => Settled::NotStored,
                    }
                }
                1 => {
                    let item = matches.remove(0);
                    let close = item
                        .created_at
                        .is_none_or(|at| at < row.first_sent_after + Settle::CLOSE);
                    if claims.get(&item.id).copied().unwrap_or(0) > 1 {
                        Settled::Unknown(Unsettled::Claimed { id: item.id })
                    } else if close {
                        Settled::Unknown(Unsettled::TooClose { id: item.id })
                    } else {
                        Settled::Created(Box::new(item))
                    }
                }
                _ => Settled::Unknown(Unsettled::SeveralMatches {
                    ids: matches.iter().map(|m| m.id).collect(),
                }),
            })
            .collect()
    }
}

/// Whether `item` is like what was sent without holding all of it: the same method,
/// direction and links, and a `date_time` within a second. A server that trims notes or
/// rounds a time would store such a one; it keeps a row from being called not stored.
fn similar(sent: &Value, item: &Interaction) -> bool {
    let attributes = &sent["attributes"];
    let same = |name: &str| match attributes.get(name) {
        None | Some(Value::Null) => true,
        Some(value) => item.attribute(name).as_ref() == Some(value),
    };
    let near = match attributes.get("date_time").and_then(Value::as_str) {
        None => true,
        Some(text) => DateTime::parse_from_rfc3339(text).is_ok_and(|at| {
            item.date_time.is_some_and(|stored| {
                (stored - at.with_timezone(&Utc)).num_milliseconds().abs() < 1000
            })
        }),
    };
    let links = sent.get("relationships").and_then(Value::as_object);
    let linked = links.into_iter().flatten().all(|(name, link)| {
        let id = link
            .get("data")
            .and_then(|d| d.get("id"))
            .and_then(Value::as_str);
        id.and_then(|id| id.parse::<Uuid>().ok()) == link_of(item, name)
    });
    same("method") && same("direction") && near && linked
}

#[cfg(test)]
mod tests;
