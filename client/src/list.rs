//! [`List`]: the list request every resource shares (page size, start, sort, filters,
//! includes), sent as one [`Page`] or as a [`ListStream`] of every item.

use std::future::Future;
use std::marker::PhantomData;

use uuid::Uuid;

use crate::call::RawResult;
use crate::client::Client;
use crate::error::Error;
use crate::generated;
use crate::pages::{ListDocument, ListStream, Page, failed_stream};
use crate::query::{ListParams, ListQuery, SortDirection};

/// A resource that can be listed: which operation lists it and how an item becomes the
/// typed value. Implemented by the typed resources of this crate, and sealed: only they
/// can implement it (its methods are this crate's business, and may change).
pub trait Listed: sealed::Sealed + Sized + Send + 'static {
    #[doc(hidden)]
    type Document: ListDocument + Send + 'static;

    #[doc(hidden)]
    fn request(
        raw: generated::Client,
        org: Uuid,
        params: ListParams,
        offset: Option<u64>,
    ) -> impl Future<Output = RawResult<Self::Document>> + Send + 'static;

    #[doc(hidden)]
    fn from_item(item: <Self::Document as ListDocument>::Item) -> Self;
}

pub(crate) mod sealed {
    /// Implemented by the resources of this crate only, so that [`Listed`](super::Listed)
    /// can change without breaking anyone.
    pub trait Sealed {}

    impl Sealed for crate::Interaction {}
    impl Sealed for crate::Contact {}
    impl Sealed for crate::Member {}
}

/// A list request, such as [`Interactions::list`](crate::Interactions::list): one
/// [`page`](List::page), or every item as a [`stream`](List::stream).
///
/// Settings are checked when a page is requested; a bad one is an
/// [`Error::InvalidInput`] naming it, and nothing is sent.
#[derive(Debug)]
#[must_use = "nothing is fetched until `page` or `stream` is used"]
pub struct List<'a, T> {
    client: &'a Client,
    pub(crate) query: ListQuery,
    pages_in_flight: usize,
    item: PhantomData<fn() -> T>,
}

// Not derived: a derived `Clone` would ask `T: Clone`, which a request never needs.
impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        List {
            client: self.client,
            query: self.query.clone(),
            pages_in_flight: self.pages_in_flight,
            item: PhantomData,
        }
    }
}

/// Page requests a stream keeps in flight ahead of its reader unless told otherwise.
pub(crate) const DEFAULT_PAGES_IN_FLIGHT: usize = 1;

impl<'a, T: Listed> List<'a, T> {
    pub(crate) fn new(client: &'a Client) -> Self {
        List {
            client,
            query: ListQuery::default(),
            pages_in_flight: DEFAULT_PAGES_IN_FLIGHT,
            item: PhantomData,
        }
    }

    /// How many items a page holds (at least 1). The server's default otherwise.
    pub fn limit(mut self, limit: u32) -> Self {
        self.query.limit = Some(limit);
        self
    }

    /// How many items to skip before the first page.
    pub fn offset(mut self, offset: u64) -> Self {
        self.query.offset = Some(offset);
        self
    }

    /// Sorts by `field` (such as `date_time`). Ctrl Hub applies one sort field; a later
    /// call replaces an earlier one.
    pub fn sort(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.query.sort(field.into(), direction);
        self
    }

    /// Keeps only items whose `field` equals `value` exactly (`filter[field]=value`).
    /// Filters on different fields are `ANDed`; a second filter on the same field replaces
    /// the first.
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.filter(field.into(), value.into());
        self
    }

    /// How many page requests [`stream`](List::stream) keeps in flight ahead of the reader
    /// (at least 1; default 1, the next page). More hides more latency over a slow link,
    /// at the cost of up to `n + 1` pages in memory; see [`ListStream`] for how the
    /// offsets of pages not yet seen are predicted and checked.
    pub fn pages_in_flight(mut self, n: usize) -> Self {
        self.pages_in_flight = n.max(1);
        self
    }

    /// Fetches one page, starting at [`offset`](List::offset).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad setting (nothing is sent), or any error of
    /// [`Client::call`](crate::Client::call).
    pub async fn page(&self) -> Result<Page<T>, Error> {
        let params = self.query.params()?;
        let (org, offset) = (self.client.organisation_id, self.query.offset);
        let answer = self
            .client
            .call(|raw| T::request(raw, org, params, offset))
            .await?;
        Ok(answer.into_inner().into_page().map(T::from_item))
    }

    /// Every item, page after page, fetched lazily as the stream is polled; see
    /// [`ListStream`] for its guarantees. It owns a clone of the client, so it can be
    /// stored or moved to another task.
    pub fn stream(self) -> ListStream<T> {
        let params = match self.query.params() {
            Ok(params) => params,
            Err(error) => return failed_stream(error),
        };
        let org = self.client.organisation_id;
        self.client.list_stream(
            self.query.offset,
            self.pages_in_flight,
            move |raw, offset| T::request(raw, org, params.clone(), offset),
            T::from_item,
        )
    }
}

/// Applies checked list parameters to a generated list builder; `include` only for
/// operations that take one.
macro_rules! with_list_params {
    ($request:expr, $params:expr, $offset:expr $(, $include:ident)?) => {{
        let params = $params;
        let mut request = $request;
        if let Some(limit) = params.limit {
            request = request.limit(limit);
        }
        if let Some(offset) = $offset {
            request = request.offset(offset);
        }
        if let Some(filter) = params.filter {
            request = request.filter(filter);
        }
        if let Some(sort) = params.sort {
            request = request.sort(sort);
        }
        $(
            if let Some(include) = params.$include {
                request = request.include(include);
            }
        )?
        request
    }};
}
pub(crate) use with_list_params;
