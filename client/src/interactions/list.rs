//! Listing interactions: one page, or every page as a stream.

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;

use futures_util::stream::{self, Stream};
use reqwest::Method;

use super::Interaction;
use super::get::{Related, include_param};
use crate::client::Client;
use crate::error::{DecodeError, Error};
use crate::generated::types;
use crate::jsonapi::{Filters, Resource};
use crate::transport::Call;

/// Every interaction of a list, page after page; from [`ListInteractions::stream`].
pub type InteractionStream<'a> =
    Pin<Box<dyn Stream<Item = Result<Interaction, Error>> + Send + 'a>>;

/// The order of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// Smallest first (`sort=field`).
    Ascending,
    /// Largest first (`sort=-field`).
    Descending,
}

/// Lists interactions; from [`Interactions::list`](super::Interactions::list).
///
/// Settings are checked when the request is sent; a bad one is an
/// [`Error::InvalidInput`] naming it, and nothing is sent.
#[derive(Debug, Clone)]
#[must_use = "nothing is fetched until `page` or `stream` is used"]
pub struct ListInteractions<'a> {
    client: &'a Client,
    limit: Option<u32>,
    offset: Option<u64>,
    sort: Option<(String, SortDirection)>,
    filters: BTreeMap<String, String>,
    include: Vec<Related>,
}

impl<'a> ListInteractions<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        ListInteractions {
            client,
            limit: None,
            offset: None,
            sort: None,
            filters: BTreeMap::new(),
            include: Vec::new(),
        }
    }

    /// How many interactions a page holds (at least 1). The server's default otherwise.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many interactions to skip before the first page.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Sorts by `field` (such as `date_time`). Ctrl Hub applies one sort field; a later
    /// call replaces an earlier one.
    pub fn sort(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.sort = Some((field.into(), direction));
        self
    }

    /// Keeps only interactions whose `field` equals `value` exactly
    /// (`filter[field]=value`). Filters on different fields are ANDed; a second filter on
    /// the same field replaces the first.
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.insert(field.into(), value.into());
        self
    }

    /// Includes these related resources in each page ([`Page::included`]).
    pub fn include(mut self, related: impl IntoIterator<Item = Related>) -> Self {
        self.include.extend(related);
        self
    }

    /// Fetches one page, starting at [`offset`](ListInteractions::offset).
    pub async fn page(&self) -> Result<Page, Error> {
        self.fetch(self.offset).await
    }

    /// Every interaction, page after page, fetched lazily as the stream is polled.
    ///
    /// At most one page is held in memory. The stream ends after the page whose
    /// `offsets.next` is null. A server whose next offset does not move forward, or that
    /// sends an empty page claiming another follows, ends the stream with an
    /// [`Error::Decode`] rather than looping; so does any failed page.
    ///
    /// The stream is boxed and pinned, so `StreamExt::next` works on it directly.
    pub fn stream(self) -> InteractionStream<'a> {
        let start = Cursor::At(self.offset);
        Box::pin(stream::unfold(
            (self, start, VecDeque::new()),
            |(list, mut cursor, mut buffer)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Some((Ok(item), (list, cursor, buffer)));
                    }
                    let offset = match cursor {
                        Cursor::At(offset) => offset,
                        Cursor::Failed(error) => {
                            return Some((Err(*error), (list, Cursor::Done, buffer)));
                        }
                        Cursor::Done => return None,
                    };
                    let page = match list.fetch(offset).await {
                        Ok(page) => page,
                        Err(error) => return Some((Err(error), (list, Cursor::Done, buffer))),
                    };
                    cursor = next_cursor(offset, &page);
                    buffer = page.items.into();
                }
            },
        ))
    }

    fn query(&self) -> Result<Query, Error> {
        if self.limit == Some(0) {
            return Err(Error::invalid_input("limit", "must be at least 1"));
        }
        let mut filter = Filters::new();
        for (field, value) in &self.filters {
            check_field_name("filter", field)?;
            filter.insert(field, value);
        }
        let sort = match &self.sort {
            None => None,
            Some((field, direction)) => {
                check_field_name("sort", field)?;
                Some(match direction {
                    SortDirection::Ascending => field.clone(),
                    SortDirection::Descending => format!("-{field}"),
                })
            }
        };
        Ok(Query {
            filter,
            sort,
            include: include_param(&self.include),
        })
    }

    async fn fetch(&self, offset: Option<u64>) -> Result<Page, Error> {
        let query = self.query()?;
        let call = Call::new(self.client.raw(), Method::GET);
        let mut request = call
            .raw
            .list_customer_interactions()
            .org_id(self.client.organisation_id());
        if let Some(limit) = self.limit {
            request = request.limit(limit);
        }
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        if !query.filter.is_empty() {
            request = request.filter(query.filter);
        }
        if let Some(sort) = query.sort {
            request = request.sort(sort);
        }
        if let Some(include) = query.include {
            request = request.include(include);
        }
        let result = request.send().await;
        let document = call.finish(result).await?.into_inner();
        Ok(Page::from_document(document))
    }
}

struct Query {
    filter: Filters,
    sort: Option<String>,
    include: Option<String>,
}

enum Cursor {
    /// Fetch the page at this offset next (`None`: the server's default start).
    At(Option<u64>),
    /// Yield this error once the buffered items are out, then end.
    Failed(Box<Error>),
    Done,
}

fn next_cursor(offset: Option<u64>, page: &Page) -> Cursor {
    let Some(next) = page.pagination.next_offset else {
        return Cursor::Done;
    };
    let current = offset.unwrap_or(0);
    let reason = if next <= current {
        format!(
            "the page at offset {current} names offset {next} as the next page, which does not move forward"
        )
    } else if page.items.is_empty() {
        format!("the page at offset {current} is empty but names offset {next} as the next page")
    } else {
        return Cursor::At(Some(next));
    };
    Cursor::Failed(Box::new(DecodeError::without_answer(format!(
        "inconsistent pagination: {reason}; stopping instead of looping"
    ))))
}

/// Field names go into a parameter name, so they are kept to what Ctrl Hub uses:
/// letters, digits, `_`, `.` and `-` (as in `created_at.since`).
fn check_field_name(setting: &str, field: &str) -> Result<(), Error> {
    let ok = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !field.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            setting,
            format!("`{field}` is not a field name (letters, digits, `_`, `.`, `-`)"),
        ))
    }
}

/// One page of interactions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The interactions on this page, in the order Ctrl Hub sent them.
    pub items: Vec<Interaction>,
    /// Where this page sits in the whole list.
    pub pagination: Pagination,
    /// The include, sort and filter options Ctrl Hub says the endpoint supports.
    pub features: Features,
    /// Related resources included with the page.
    pub included: Vec<Resource>,
}

impl Page {
    fn from_document(document: types::InteractionListDocument) -> Self {
        let meta = document.meta.unwrap_or_default();
        Page {
            items: document
                .data
                .into_iter()
                .map(Interaction::from_resource)
                .collect(),
            pagination: Pagination::from_meta(meta.pagination.unwrap_or_default()),
            features: Features::from_meta(meta.features.unwrap_or_default()),
            included: document.included,
        }
    }

    /// The offset of the next page, or `None` on the last page.
    pub fn next_offset(&self) -> Option<u64> {
        self.pagination.next_offset
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
    /// How many interactions the whole list has.
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
