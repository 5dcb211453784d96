//! Lists, for any list operation of the spec: one [`Page`], or every item as a
//! [`ListStream`] that follows `meta.pagination` with loop guards.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::StreamExt;
use futures_util::stream::{self, FuturesOrdered, Stream};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{DecodeError, Error};
use crate::generated::types;
use crate::included::IncludedResource;
use crate::jsonapi::{Resource, ResourceIdentifier};
use crate::resource::Includes;

/// A list answer that carries Ctrl Hub's `meta.pagination`.
///
/// `ctrlhub-build-support` implements it for every list document of the spec (a schema
/// whose `data` is an array and whose `meta` is `ListMeta`), so a list operation added to
/// the spec can be paged through [`Client::paginate`](crate::Client::paginate) without
/// handwritten code.
pub trait ListDocument: Sized {
    /// One item of `data`.
    type Item;

    #[doc(hidden)]
    fn into_parts(self) -> ListParts<Self::Item>;

    /// The answer as a [`Page`]: the items that decoded, and each one that did not.
    fn into_page(self) -> Page<Self::Item> {
        let parts = self.into_parts();
        let meta = parts.meta.unwrap_or_default();
        let mut items = Vec::with_capacity(parts.items.len());
        let mut invalid = Vec::new();
        for entry in parts.items {
            match entry {
                Ok(item) => items.push(item),
                Err(bad) => invalid.push(bad),
            }
        }
        Page {
            items,
            invalid,
            pagination: Pagination::from_meta(meta.pagination.unwrap_or_default()),
            features: Features::from_meta(meta.features.unwrap_or_default()),
            included: IncludedResource::all_of(parts.included),
        }
    }
}

/// The pieces of a list document, as generated code hands them over.
#[doc(hidden)]
#[derive(Debug)]
pub struct ListParts<T> {
    pub items: Vec<Result<T, InvalidItem>>,
    pub meta: Option<types::ListMeta>,
    pub included: Vec<Resource>,
}

/// One item of a list answer as JSON text, decoded on its own so that one malformed
/// resource does not fail its page. The generated list documents hold these.
#[doc(hidden)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawItem(Box<RawValue>);

impl PartialEq for RawItem {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl RawItem {
    /// The item decoded as `T`, or what is wrong with the item at `position`.
    pub fn decode<T: DeserializeOwned>(self, position: usize) -> Result<T, InvalidItem> {
        serde_json::from_str(self.0.get()).map_err(|error| {
            #[derive(Deserialize)]
            struct Id {
                id: Option<Value>,
            }
            let id = serde_json::from_str::<Id>(self.0.get())
                .ok()
                .and_then(|item| item.id)
                .map(|id| match id {
                    Value::String(text) => text,
                    other => other.to_string(),
                });
            InvalidItem {
                position,
                id,
                reason: error.to_string(),
            }
        })
    }
}

/// An item of a list page that could not be decoded; the rest of the page could.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidItem {
    /// Where on its page the item was (0 for the first).
    pub position: usize,
    /// The item's `id` as text, if it had one.
    pub id: Option<String>,
    /// Why it could not be decoded.
    pub reason: String,
}

impl InvalidItem {
    /// The [`Error::Decode`] a stream yields for this item.
    #[must_use]
    pub fn to_error(&self) -> Error {
        let id = self.id.as_deref().unwrap_or("none");
        DecodeError::without_answer(format!(
            "item {} of its page (id `{id}`) could not be decoded: {}; the other items were",
            self.position, self.reason
        ))
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page that decoded, in the order Ctrl Hub sent them.
    pub items: Vec<T>,
    /// The items on this page that could not be decoded (each names its position and id).
    pub invalid: Vec<InvalidItem>,
    /// Where this page sits in the whole list.
    pub pagination: Pagination,
    /// The include, sort and filter options Ctrl Hub says the endpoint supports.
    pub features: Features,
    /// Related resources included with the page (ask with the list's `include`), as a
    /// get gives them; [`related`](Page::related) finds the one a link points at.
    pub included: Vec<IncludedResource>,
}

impl<T> Page<T> {
    /// The offset of the next page, or `None` on the last page.
    #[must_use]
    pub fn next_offset(&self) -> Option<u64> {
        self.pagination.next_offset
    }

    /// The included resource `link` points at (by type and id, as JSON:API defines), such
    /// as [`Interaction::link`](crate::Interaction::link) gives; `None` when Ctrl Hub
    /// did not include it.
    ///
    /// ```no_run
    /// use ctrlhub::InteractionRelated;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let page = client
    ///     .interactions()
    ///     .list()
    ///     .include([InteractionRelated::Contact])
    ///     .page()
    ///     .await?;
    /// for interaction in &page.items {
    ///     let contact = interaction
    ///         .link(InteractionRelated::Contact)
    ///         .and_then(|link| page.related(link));
    ///     println!("{} with {:?}", interaction.id, contact.and_then(|c| c.attribute("email")));
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn related(&self, link: &ResourceIdentifier) -> Option<&IncludedResource> {
        IncludedResource::find(&self.included, link)
    }

    /// The included resources `item`'s `relationship` links to, in the order of its links;
    /// a link whose resource Ctrl Hub did not include is skipped.
    ///
    /// ```no_run
    /// use ctrlhub::ContactRelated;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let page = client.contacts().list().include([ContactRelated::Accounts]).page().await?;
    /// for contact in &page.items {
    ///     let accounts = page.related_to(contact, ContactRelated::Accounts).count();
    ///     println!("{} has {accounts} accounts included", contact.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn related_to<'a>(
        &'a self,
        item: &'a T,
        relationship: T::Related,
    ) -> impl Iterator<Item = &'a IncludedResource> + 'a
    where
        T: Includes,
    {
        crate::resource::related_in(item, &self.included, relationship)
    }

    /// The same page with each item converted by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            invalid: self.invalid,
            pagination: self.pagination,
            features: self.features,
            included: self.included,
        }
    }
}

/// `meta.pagination` of a list answer. Each number is `None` when Ctrl Hub left it out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pagination {
    /// The page number of this page.
    pub current_page: Option<u64>,
    /// How many pages the whole list has.
    pub pages: Option<u64>,
    /// How many items the whole list has.
    pub resources: Option<u64>,
    /// The page size Ctrl Hub applied.
    pub limit: Option<u64>,
    /// The offset Ctrl Hub applied.
    pub offset: Option<u64>,
    /// Where the next page starts; `None` on the last page.
    pub next_offset: Option<u64>,
    /// Where the previous page starts; `None` on the first page.
    pub previous_offset: Option<u64>,
}

impl Pagination {
    fn from_meta(meta: types::Pagination) -> Self {
        let counts = meta.counts.unwrap_or_default();
        let offsets = meta.offsets.unwrap_or_default();
        let requested = meta.requested.unwrap_or_default();
        Pagination {
            current_page: meta.current_page,
            pages: counts.pages,
            resources: counts.resources,
            limit: requested.limit,
            offset: requested.offset,
            next_offset: offsets.next,
            previous_offset: offsets.previous,
        }
    }
}

/// The options an endpoint supports, from `meta.features` in either documented shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// Relationships that can be included.
    pub include: Vec<String>,
    /// Fields that can be sorted by.
    pub sort: Vec<String>,
    /// Fields that can be filtered on.
    pub filter: Vec<String>,
}

impl Features {
    fn from_meta(meta: types::ListFeatures) -> Self {
        let options = |feature: Option<types::FeatureOptions>| {
            feature.and_then(|f| f.options).unwrap_or_default()
        };
        let params = meta.params.unwrap_or_default();
        let mut include = options(params.include);
        for option in options(meta.include) {
            if !include.contains(&option) {
                include.push(option);
            }
        }
        Features {
            include,
            sort: options(params.sort),
            filter: options(params.filter),
        }
    }
}

/// Every item of a list, page after page, fetched as the stream is polled.
///
/// It owns what it needs (`'static` and `Send`), so it can be stored or moved to a task.
///
/// Up to `n` page requests are in flight ahead of the reader
/// ([`List::pages_in_flight`](crate::List::pages_in_flight); by default 1: the next page is
/// fetched while the current one is read), so at most `n + 1` pages are held in memory.
/// After the first page, the offsets of later pages are predicted (`next`, then a page
/// size at a time, never past the list's total when Ctrl Hub gives it). Each page's
/// `offsets.next` must be the offset predicted for the page after it: when it is not (the
/// list changed during the walk, or the server pages differently), the predictions in
/// flight are dropped and the stream follows `next` one page at a time from there on.
/// Items come out in server order, each once.
///
/// An item that cannot be decoded is an [`Error::Decode`] in its place (naming its
/// position and id), and the stream goes on. It ends after the page whose `offsets.next`
/// is null. A server whose next offset does not move forward, or that sends an empty page
/// claiming another follows, ends the stream with an [`Error::Decode`] rather than
/// looping; a page that fails (after the retries the policy allows) ends it with that
/// error, after the items before it.
pub type ListStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'static>>;

/// The stream of every item, fetching the page at each offset with `fetch`, from `start`
/// (`None`: the server's default start), with up to `ahead` page requests in flight.
pub(crate) fn stream_pages<T, F, Fut>(start: Option<u64>, ahead: usize, fetch: F) -> ListStream<T>
where
    T: Send + 'static,
    F: FnMut(Option<u64>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let mut fetch = fetch;
    Box::pin(Walk {
        fetch: Box::new(move |offset| Box::pin(fetch(offset)) as PageFuture<T>),
        ahead: ahead.max(1),
        in_flight: FuturesOrdered::new(),
        requested: VecDeque::new(),
        ready: VecDeque::new(),
        buffer: VecDeque::new(),
        next_request: Some(start),
        step: None,
        total: None,
        sequential: false,
    })
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// A page that arrived, with the offset it was requested at.
type Arrived<T> = (Option<u64>, Result<Page<T>, Error>);

/// A walk through a list with pages in flight.
///
/// After the first page, the offsets of the pages after `next` are predicted (`next` plus
/// a page size at a time, never past the list's total when Ctrl Hub gives it) and
/// requested ahead of the reader. Each page's `offsets.next` must be the offset predicted
/// for the page after it; when it is not (the list changed during the walk, or the server
/// pages differently), the predictions in flight are dropped and the walk follows `next`
/// one page at a time from there on. Items come out in server order, each once.
struct Walk<T> {
    fetch: Box<dyn FnMut(Option<u64>) -> PageFuture<T> + Send>,
    ahead: usize,
    in_flight: FuturesOrdered<PageFuture<T>>,
    /// The offsets of the requests in flight, in the same order.
    requested: VecDeque<Option<u64>>,
    /// Pages that arrived while the reader was busy, oldest first.
    ready: VecDeque<Arrived<T>>,
    /// The items of the page being read (and any error to yield after them).
    buffer: VecDeque<Result<T, Error>>,
    /// The offset to request next (`Some(None)`: the server's default start), if any.
    #[allow(
        clippy::option_option,
        reason = "no request left, or a request with or without an offset"
    )]
    next_request: Option<Option<u64>>,
    /// The page size, once the first page has told it.
    step: Option<u64>,
    total: Option<u64>,
    /// Whether predictions were abandoned (or cannot be made): one request at a time.
    sequential: bool,
}

impl<T> Walk<T> {
    /// Sends requests until `ahead` are in flight (one while the page size is unknown or
    /// after a misprediction).
    fn refill(&mut self) {
        let cap = if self.sequential || self.step.is_none() {
            1
        } else {
            self.ahead
        };
        while self.in_flight.len() < cap {
            let Some(offset) = self.next_request else {
                break;
            };
            if let (Some(offset), Some(total)) = (offset, self.total)
                && offset >= total
            {
                self.next_request = None;
                break;
            }
            self.in_flight.push_back((self.fetch)(offset));
            self.requested.push_back(offset);
            self.next_request = match (self.sequential, self.step, offset) {
                (false, Some(step), Some(offset)) => offset.checked_add(step).map(Some),
                _ => None,
            };
        }
    }

    fn stop(&mut self) {
        self.in_flight.clear();
        self.requested.clear();
        self.ready.clear();
        self.next_request = None;
    }

    /// Takes the page requested at `offset`: its items go to the buffer, and what it says
    /// of the next page is checked against the prediction.
    fn accept(&mut self, offset: Option<u64>, result: Result<Page<T>, Error>) {
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                self.buffer.push_back(Err(error));
                self.stop();
                return;
            }
        };
        let cursor = next_cursor(offset, &page);
        if self.step.is_none() {
            let size = (page.items.len() + page.invalid.len()) as u64;
            self.step = page
                .pagination
                .limit
                .filter(|l| *l > 0)
                .or((size > 0).then_some(size));
        }
        self.total = page.pagination.resources.or(self.total);
        self.buffer = in_order(page);
        match cursor {
            Cursor::Done => self.stop(),
            Cursor::Failed(error) => {
                self.buffer.push_back(Err(*error));
                self.stop();
            }
            Cursor::At(next) => {
                // The page after this one: arrived, in flight, or still to request.
                let ahead = self.ready.front().map(|(offset, _)| *offset);
                let expected = ahead.or(self.requested.front().copied());
                let predicted = expected.is_some();
                let expected = expected.or(self.next_request);
                if expected != Some(Some(next)) {
                    // Not where the predictions went: follow the server from here.
                    self.stop();
                    self.sequential |= predicted;
                    self.next_request = Some(Some(next));
                }
            }
        }
    }
}

// `Walk` is never pinned structurally: its futures are boxed and its items are only moved.
impl<T> Unpin for Walk<T> {}

impl<T> Stream for Walk<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            // Keep the requests in flight moving even while the reader is busy with the
            // current page; pages that arrive wait in order (at most `ahead` of them).
            this.refill();
            while let Poll::Ready(Some(result)) = this.in_flight.poll_next_unpin(cx) {
                let offset = this.requested.pop_front().flatten();
                this.ready.push_back((offset, result));
            }
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(item));
            }
            if let Some((offset, result)) = this.ready.pop_front() {
                this.accept(offset, result);
                continue;
            }
            if this.in_flight.is_empty() && this.next_request.is_none() {
                return Poll::Ready(None);
            }
            if this.in_flight.is_empty() {
                continue;
            }
            return Poll::Pending;
        }
    }
}

/// The page's items and invalid items as stream items, in the order Ctrl Hub sent them.
fn in_order<T>(page: Page<T>) -> VecDeque<Result<T, Error>> {
    let mut out = VecDeque::with_capacity(page.items.len() + page.invalid.len());
    let mut invalid = page.invalid.into_iter().peekable();
    for item in page.items {
        while let Some(bad) = invalid.next_if(|bad| bad.position <= out.len()) {
            out.push_back(Err(bad.to_error()));
        }
        out.push_back(Ok(item));
    }
    out.extend(invalid.map(|bad| Err(bad.to_error())));
    out
}

enum Cursor {
    /// The next page starts at this offset.
    At(u64),
    /// Yield this error once the buffered items are out, then end.
    Failed(Box<Error>),
    Done,
}

fn next_cursor<T>(offset: Option<u64>, page: &Page<T>) -> Cursor {
    let Some(next) = page.pagination.next_offset else {
        return Cursor::Done;
    };
    let current = offset.unwrap_or(0);
    let reason = if next <= current {
        format!(
            "the page at offset {current} names offset {next} as the next page, which does not move forward"
        )
    } else if page.items.is_empty() && page.invalid.is_empty() {
        format!("the page at offset {current} is empty but names offset {next} as the next page")
    } else {
        return Cursor::At(next);
    };
    Cursor::Failed(Box::new(DecodeError::without_answer(format!(
        "inconsistent pagination: {reason}; stopping instead of looping"
    ))))
}

/// A stream whose only item is `error`: a list whose settings were refused.
pub(crate) fn failed_stream<T: Send + 'static>(error: Error) -> ListStream<T> {
    Box::pin(stream::once(async move { Err(error) }))
}

#[cfg(test)]
mod tests;
