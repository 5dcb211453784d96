//! Creating many interactions at once: bounded concurrency, one result per input, and
//! never an interaction twice.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use reqwest::StatusCode;
use tokio::sync::Mutex;
use tokio::time::Instant;

use progenitor_client::ClientInfo;

use super::{Interaction, NewInteraction};
use crate::client::Client;
use crate::error::Error;

/// The results of a [`CreateMany`] as each finishes; from [`CreateMany::stream`].
pub type CreatedStream = Pin<Box<dyn Stream<Item = Created> + Send + 'static>>;

/// Creates many interactions; from [`Interactions::create_many`](super::Interactions::create_many).
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream` is used"]
pub struct CreateMany {
    client: Client,
    items: Vec<NewInteraction>,
    concurrency: usize,
}

/// The outcome of one input of [`CreateMany`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Created {
    /// The input's position in the items given to `create_many`.
    pub index: usize,
    /// The stored interaction, or why it was not created. An error whose
    /// [`is_outcome_unknown`](Error::is_outcome_unknown) is true may still have been
    /// stored: look before creating that input again.
    pub result: Result<Interaction, Error>,
}

/// Every result of a [`CreateMany`], in input order, with the counts.
#[derive(Debug)]
#[non_exhaustive]
pub struct CreateManyReport {
    /// One result per input, in input order.
    pub results: Vec<Created>,
    /// How many were created.
    pub created: usize,
    /// How many failed (outcome unknown included).
    pub failed: usize,
    /// How many failed in a way that may still have stored them.
    pub outcome_unknown: usize,
}

/// Default number of creates in flight at once.
pub(crate) const DEFAULT_CONCURRENCY: usize = 8;

impl CreateMany {
    pub(crate) fn new(client: Client, items: Vec<NewInteraction>) -> Self {
        CreateMany {
            client,
            items,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// How many creates are in flight at once (at least 1; default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// One [`Created`] per input, as each finishes (not in input order).
    pub fn stream(self) -> CreatedStream {
        let gate = Arc::new(Gate::default());
        let client = self.client;
        let creates = stream::iter(self.items.into_iter().enumerate()).map(move |(index, new)| {
            let (client, gate) = (client.clone(), gate.clone());
            async move {
                Created {
                    index,
                    result: create_one(&client, new, &gate).await,
                }
            }
        });
        Box::pin(creates.buffer_unordered(self.concurrency))
    }

    /// Creates every input and reports each result, in input order, with the counts.
    pub async fn send(self) -> CreateManyReport {
        let count = self.items.len();
        let mut results: Vec<Created> = Vec::with_capacity(count);
        let mut all = self.stream();
        while let Some(created) = all.next().await {
            results.push(created);
        }
        results.sort_by_key(|created| created.index);
        let created = results.iter().filter(|c| c.result.is_ok()).count();
        let outcome_unknown = results
            .iter()
            .filter(|c| c.result.as_ref().is_err_and(Error::is_outcome_unknown))
            .count();
        CreateManyReport {
            failed: results.len() - created,
            created,
            outcome_unknown,
            results,
        }
    }
}

/// When the workers of one `CreateMany` may send again after a 429: all of them wait.
#[derive(Debug, Default)]
struct Gate {
    open_at: Mutex<Option<Instant>>,
}

impl Gate {
    async fn wait(&self) {
        loop {
            let open_at = *self.open_at.lock().await;
            match open_at {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ => return,
            }
        }
    }

    async fn hold_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut open_at = self.open_at.lock().await;
        if open_at.is_none_or(|at| at < until) {
            *open_at = Some(until);
        }
    }
}

/// One create, sent again only after a 429 (Ctrl Hub refused it without processing it),
/// within the retry policy's bounds; every other rule of `create` stands.
async fn create_one(
    client: &Client,
    new: NewInteraction,
    gate: &Gate,
) -> Result<Interaction, Error> {
    let policy = client.raw.inner().shared.retry.clone();
    let mut retries = policy.start();
    let mut attempt = 0;
    loop {
        gate.wait().await;
        attempt += 1;
        let result = client.interactions().create(new.clone()).send().await;
        match &result {
            Err(Error::Api(api)) if api.status == StatusCode::TOO_MANY_REQUESTS => {
                match retries.next_wait_refused(attempt, api.retry_after) {
                    Some(wait) => gate.hold_for(wait).await,
                    None => return result,
                }
            }
            _ => return result,
        }
    }
}
