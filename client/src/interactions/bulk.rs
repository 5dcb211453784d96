//! Creating many interactions at once: bounded concurrency, one result per input, and
//! never an interaction twice.

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use reqwest::StatusCode;
use tokio::sync::Mutex;
use tokio::time::Instant;

use progenitor_client::ClientInfo;

use super::{Interaction, NewInteraction};
use crate::client::Client;
use crate::error::Error;
use crate::waits::{RetryCause, Wait, WaitReason};

/// The results of a [`CreateMany`] as each finishes; from [`CreateMany::stream`].
pub type CreatedStream = Pin<Box<dyn Stream<Item = Created> + Send + 'static>>;

/// The inputs of a [`CreateMany`], read as they are sent.
type Inputs = Pin<Box<dyn Stream<Item = NewInteraction> + Send + 'static>>;

/// Creates many interactions; from [`Interactions::create_many`](super::Interactions::create_many)
/// or [`create_many_from_stream`](super::Interactions::create_many_from_stream).
///
/// The inputs are read as they are sent, never all at once: at most about three times
/// [`concurrency`](CreateMany::concurrency) of them are held at a time, so a source of
/// any size runs in flat memory with [`stream`](CreateMany::stream).
#[must_use = "nothing is sent until `send` or `stream` is used"]
pub struct CreateMany {
    client: Client,
    items: Inputs,
    concurrency: usize,
    stop: Option<Pin<Box<dyn Future<Output = ()> + Send + 'static>>>,
    before_batch: Option<BeforeBatch>,
}

/// What [`CreateMany::before_batch`] keeps: the caller's callback, its future boxed.
type BeforeBatch =
    Box<dyn FnMut(Range<usize>) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + 'static>;

impl fmt::Debug for CreateMany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateMany")
            .field("client", &self.client)
            .field("items", &"<inputs>")
            .field("concurrency", &self.concurrency)
            .field("stop", &self.stop.as_ref().map(|_| "<future>"))
            .field(
                "before_batch",
                &self.before_batch.as_ref().map(|_| "<callback>"),
            )
            .finish()
    }
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
    /// How many inputs were never sent because [`CreateMany::stop_when`]'s signal came
    /// first or [`CreateMany::before_batch`] said not to; they have no entry in `results`.
    pub not_started: usize,
}

/// Default number of creates in flight at once.
pub(crate) const DEFAULT_CONCURRENCY: usize = 8;

impl CreateMany {
    pub(crate) fn new(client: Client, items: Inputs) -> Self {
        CreateMany {
            client,
            items,
            concurrency: DEFAULT_CONCURRENCY,
            stop: None,
            before_batch: None,
        }
    }

    /// How many creates are in flight at once (at least 1; default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Stops starting inputs once `signal` completes (Ctrl-C, say): the creates already
    /// in flight finish and are reported, and the inputs not yet started are never sent
    /// (they get no [`Created`]; [`CreateManyReport::not_started`] counts them).
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, calls: Vec<ctrlhub::NewInteraction>) {
    /// // Send on `stop` from a Ctrl-C handler (tokio::signal::ctrl_c), say.
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let creates = client.interactions().create_many(calls);
    /// let report = creates.stop_when(async move { let _ = stopped.await; }).send().await;
    /// println!("{} were not sent", report.not_started);
    /// # drop(stop);
    /// # }
    /// ```
    pub fn stop_when(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.stop = Some(Box::pin(signal));
        self
    }

    /// Announces the inputs to `f` in batches before they are sent, so that a caller can
    /// record, ahead of the requests, that those inputs may be stored from now on (a
    /// journal that survives a crash), with one disk sync for a whole batch.
    ///
    /// - A batch is a range of consecutive input indices, in input order, at most
    ///   [`concurrency`](CreateMany::concurrency) long. Every input is in exactly one.
    /// - No input of a batch is sent before the future `f` returned for it has finished
    ///   with `true`. With `false` (the record could not be written, say), neither that
    ///   batch nor any later one is sent; the creates in flight finish.
    /// - `f` is called for the next batch (up to two ahead) while the current one is being
    ///   sent, so slow work such as a sync overlaps the requests. It should therefore
    ///   start that work when it is called, not when its future is first polled.
    /// - An input that was announced but has no [`Created`] when the stream has been read
    ///   to its end was never sent: the batch was refused, or
    ///   [`stop_when`](CreateMany::stop_when)'s signal came first.
    ///   ([`CreateManyReport::not_started`] counts it.) A stream dropped before its end
    ///   may have sent some of them.
    ///
    /// Without `before_batch` inputs are sent as soon as a slot is free.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, calls: Vec<ctrlhub::NewInteraction>) {
    /// use std::io::Write;
    /// use std::sync::{Arc, Mutex};
    /// let journal = Arc::new(Mutex::new(std::fs::File::create("creates.journal").unwrap()));
    /// let report = client
    ///     .interactions()
    ///     .create_many(calls)
    ///     .before_batch(move |batch| {
    ///         // Written and synced on a blocking thread, started now.
    ///         let journal = journal.clone();
    ///         let written = tokio::task::spawn_blocking(move || {
    ///             let mut file = journal.lock().unwrap();
    ///             batch.clone().all(|index| writeln!(file, "sending {index}").is_ok())
    ///                 && file.sync_data().is_ok()
    ///         });
    ///         async move { written.await.unwrap_or(false) }
    ///     })
    ///     .send()
    ///     .await;
    /// # }
    /// ```
    pub fn before_batch<F, Fut>(mut self, mut f: F) -> Self
    where
        F: FnMut(Range<usize>) -> Fut + Send + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.before_batch = Some(Box::new(move |batch| Box::pin(f(batch))));
        self
    }

    /// One [`Created`] per input, as each finishes (not in input order). Inputs are read
    /// from the source only as slots free up, and nothing is kept once its result is
    /// yielded.
    #[must_use]
    pub fn stream(self) -> CreatedStream {
        let CreateMany {
            client,
            items,
            concurrency,
            stop,
            before_batch,
        } = self;
        Box::pin(pipeline(
            items,
            client,
            concurrency,
            stop,
            before_batch,
            Arc::default(),
        ))
    }

    /// Creates every input and reports each result, in input order, with the counts.
    ///
    /// This holds every result until the end; for a large source use
    /// [`stream`](CreateMany::stream). When the run stops early, the rest of the source
    /// is read (not sent) to count [`not_started`](CreateManyReport::not_started), so an
    /// endless source needs `stream`.
    pub async fn send(self) -> CreateManyReport {
        let CreateMany {
            client,
            items,
            concurrency,
            stop,
            before_batch,
        } = self;
        // Fused: the source is read again after the run to count what a stop left, and
        // a stream (an `unfold`, say) may panic if polled after its end.
        let mut source = items.fuse();
        let taken = Arc::new(AtomicUsize::new(0));
        let mut results: Vec<Created> = Vec::new();
        {
            let mut all = pipeline(
                &mut source,
                client,
                concurrency,
                stop,
                before_batch,
                taken.clone(),
            );
            while let Some(created) = all.next().await {
                results.push(created);
            }
        }
        let never_taken = source.count().await;
        results.sort_by_key(|created| created.index);
        let created = results.iter().filter(|c| c.result.is_ok()).count();
        let outcome_unknown = results
            .iter()
            .filter(|c| c.result.as_ref().is_err_and(Error::is_outcome_unknown))
            .count();
        CreateManyReport {
            not_started: taken.load(Ordering::SeqCst) - results.len() + never_taken,
            failed: results.len() - created,
            created,
            outcome_unknown,
            results,
        }
    }
}

/// The creates of `source`, as each finishes; `taken` counts the inputs read from it.
fn pipeline<'a, S>(
    source: S,
    client: Client,
    concurrency: usize,
    stop: Option<Pin<Box<dyn Future<Output = ()> + Send + 'static>>>,
    before_batch: Option<BeforeBatch>,
    taken: Arc<AtomicUsize>,
) -> impl Stream<Item = Created> + Send + 'a
where
    S: Stream<Item = NewInteraction> + Send + Unpin + 'a,
{
    let gate = Arc::new(Gate::default());
    let inputs = source.enumerate().inspect(move |_| {
        taken.fetch_add(1, Ordering::SeqCst);
    });
    let inputs: Pin<Box<dyn Stream<Item = (usize, NewInteraction)> + Send + 'a>> =
        match before_batch {
            None => Box::pin(inputs),
            Some(mut announce) => Box::pin(
                inputs
                    .chunks(concurrency)
                    .map(move |batch| {
                        let first = batch.first().map_or(0, |(index, _)| *index);
                        let announced = announce(first..first + batch.len());
                        async move { (announced.await, batch) }
                    })
                    // The next batch is announced while this one is sent.
                    .buffered(2)
                    .take_while(|(go, _)| std::future::ready(*go))
                    .flat_map(|(_, batch)| stream::iter(batch)),
            ),
        };
    let inputs: Pin<Box<dyn Stream<Item = (usize, NewInteraction)> + Send + 'a>> = match stop {
        Some(signal) => Box::pin(inputs.take_until(signal)),
        None => inputs,
    };
    inputs
        .map(move |(index, new)| {
            let (client, gate) = (client.clone(), gate.clone());
            async move {
                Created {
                    index,
                    result: create_one(&client, new, &gate).await,
                }
            }
        })
        .buffer_unordered(concurrency)
}

impl std::future::IntoFuture for CreateMany {
    type Output = CreateManyReport;
    type IntoFuture = Pin<Box<dyn Future<Output = CreateManyReport> + Send + 'static>>;

    /// Awaiting the request sends every input, as [`send`](CreateMany::send) does.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
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
                    Some(wait) => {
                        if let Some(observer) = &client.raw.inner().shared.on_wait {
                            observer.notify(&Wait {
                                // The create's operation id, as the transport names it.
                                operation: "create_customer_interaction",
                                attempt,
                                max_attempts: policy.attempts_allowed(),
                                reason: WaitReason::Retry {
                                    after: RetryCause::Status {
                                        status: api.status,
                                        retry_after: api.retry_after.is_some(),
                                    },
                                    delay: wait,
                                },
                            });
                        }
                        gate.hold_for(wait).await;
                    }
                    None => return result,
                }
            }
            _ => return result,
        }
    }
}
