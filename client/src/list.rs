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
use crate::resource::{Includes, Relationship, TypedResource};

/// A resource's list, as the spec declares it: implemented by the generated code on the
/// generated resource (see build-support's `operations`).
pub trait ListOperation: Sized {
    /// The answer.
    type Document: ListDocument<Item = Self> + Send + 'static;
    /// Sends the request of one page.
    fn list(
        raw: generated::Client,
        at: ListTarget,
    ) -> impl Future<Output = RawResult<Self::Document>> + Send + 'static;
}

/// A resource that can be listed ([`Resources::list`](crate::Resources::list)): every
/// typed resource whose spec section has a list. Sealed.
pub trait Listed: TypedResource<Raw: ListOperation> {}

impl<T: TypedResource<Raw: ListOperation>> Listed for T {}

/// Where one page request goes, for the generated list request.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct ListTarget {
    /// The organisation.
    pub org: Uuid,
    /// The checked list parameters.
    pub params: ListParams,
    /// The page's start, if not the first.
    pub offset: Option<u64>,
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
    checked: bool,
    item: PhantomData<fn() -> T>,
}

// Not derived: a derived `Clone` would ask `T: Clone`, which a request never needs.
impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        List {
            client: self.client,
            query: self.query.clone(),
            pages_in_flight: self.pages_in_flight,
            checked: self.checked,
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
            checked: true,
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

    /// Skips the check of the request's filters, sorts and includes against the options
    /// the answer's `meta.features` names, for a server whose reported options lag
    /// behind what it supports.
    ///
    /// Without it, an option the answer says the endpoint does not support is an
    /// [`Error::Unsupported`] naming it and the supported ones, and none of that answer's
    /// items is returned: a misspelt filter (`methd`) would otherwise list everything, as
    /// if filtered. An answer that reports no options checks nothing.
    pub fn unchecked_params(mut self) -> Self {
        self.checked = false;
        self
    }

    /// Fetches one page, starting at [`offset`](List::offset).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad setting (nothing is sent), or any error of
    /// [`Client::call`](crate::Client::call).
    pub async fn page(&self) -> Result<Page<T>, Error> {
        let at = ListTarget {
            org: self.client.organisation_id,
            params: self.query.params()?,
            offset: self.query.offset,
        };
        let answer = self.client.call(|raw| T::Raw::list(raw, at)).await?;
        let page = answer.into_inner().into_page();
        if self.checked {
            self.query.used().check(&page.features)?;
        }
        Ok(page.map(T::from_raw))
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
            self.checked.then(|| self.query.used()),
            move |raw, offset| {
                let params = params.clone();
                T::Raw::list(
                    raw,
                    ListTarget {
                        org,
                        params,
                        offset,
                    },
                )
            },
            T::from_raw,
        )
    }
}

impl<T: Listed + Includes> List<'_, T> {
    /// Includes these related resources in each page ([`Page::included`]; an item's
    /// own with [`Page::related`]).
    ///
    /// ```no_run
    /// use ctrlhub::ContactRelated;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let page = client.contacts().list().include([ContactRelated::Accounts]).page().await?;
    /// println!("{} accounts included", page.included.len());
    /// # Ok(()) }
    /// ```
    pub fn include(mut self, related: impl IntoIterator<Item = T::Related>) -> Self {
        self.query
            .include(related.into_iter().map(Relationship::name));
        self
    }
}
